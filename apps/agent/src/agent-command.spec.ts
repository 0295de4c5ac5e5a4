import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOT_ENROLLED_MESSAGE, runAgentCommand } from './agent-command.js';

/** Runs the command with stderr captured (the cases here end before anything reaches stdout). */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await runAgentCommand(argv, env), stderr };
  } finally {
    process.stderr.write = original;
  }
}

describe('agent command: refusals before connecting', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'agent-cmd-'));
    mkdirSync(join(home, 'conf'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('exits 2 naming a bad flag', async () => {
    expect(await run(['--home', home, '--tokn', 'x'])).toEqual({
      code: 2,
      stderr: 'switchyard-agent: unknown option --tokn (see --help)\n',
    });
  });

  it('exits 2 listing every issue of an invalid agent.conf', async () => {
    writeFileSync(join(home, 'conf', 'agent.conf'), 'central.host=\ncentral.websocket.port=99999\n');
    const { code, stderr } = await run(['--home', home, '--token', 't']);
    expect(code).toBe(2);
    expect(stderr).toContain('agent.conf is invalid:\n');
    expect(stderr).toContain('  central.host: ');
    expect(stderr).toContain('  central.websocket.port: ');
    expect(stderr).toContain('  agent.id: ');
  });

  it('exits 2 when neither a credential nor an enrollment token is there', async () => {
    writeFileSync(join(home, 'conf', 'agent.conf'), 'central.host=127.0.0.1\nagent.id=branch-7\n');
    expect(await run(['--home', home])).toEqual({
      code: 2,
      stderr: `switchyard-agent: ${NOT_ENROLLED_MESSAGE}\n`,
    });
    expect(NOT_ENROLLED_MESSAGE).toBe(
      'not enrolled: start once with --token <enrollment token> (create one with POST /api/agents/enrollment-tokens)',
    );
  });
});
