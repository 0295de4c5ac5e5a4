import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { freePort, waitFor } from '../support/ports.js';
import { REPO_ROOT, RunningProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 17 point 1 (ADR 38): `npm run package:agent`'s archive, unpacked outside the repository, runs
 * on a plain Node >= 20 — the system's /usr/bin/node when it is one, not the repository's Node 24 —
 * with nothing but its own files: it enrolls with a token, shows online, and shows offline on SIGTERM.
 */
const PACKAGER = join(REPO_ROOT, 'dist', 'apps', 'agent', 'packaging', 'main.js');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const ROOT = `switchyard-agent-${VERSION}`;
const AGENT_ID = 'branch-12.till-3';

/** The system's Node when it is >= 20 (what a branch PC has), else the one running the tests. */
function targetNode(): { path: string; version: string } {
  try {
    const version = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim();
    if (Number(/^v(\d+)\./.exec(version)?.[1]) >= 20) return { path: '/usr/bin/node', version };
    process.stderr.write(`agent-package: /usr/bin/node is ${version} (< 20): using ${process.execPath}\n`);
  } catch {
    process.stderr.write(`agent-package: no /usr/bin/node: using ${process.execPath}\n`);
  }
  return { path: process.execPath, version: process.version };
}

function packageInto(out: string): { tar: string; sums: string } {
  execFileSync(process.execPath, [PACKAGER, '--out', out], { stdio: 'pipe' });
  return { tar: join(out, `${ROOT}.tar.gz`), sums: readFileSync(join(out, `${ROOT}.sha256`), 'utf8') };
}

describe('agent package (unpacked outside the repository, on the target Node)', () => {
  let db: TestDatabase | undefined;
  let central: TestCentral | undefined;
  let agent: RunningProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    central = await startTestCentral(db.url);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await central?.stop();
    await db?.drop();
  });

  it('builds the same archive twice, then enrolls → online, and SIGTERM → offline', async () => {
    const c = central!;
    const first = packageInto(mkdtempSync(join(tmpdir(), 'sy-pkg-a-')));
    const second = packageInto(mkdtempSync(join(tmpdir(), 'sy-pkg-b-')));
    expect(second.sums).toBe(first.sums);
    expect(first.sums).toMatch(
      new RegExp(`^[0-9a-f]{64}  ${ROOT}\\.tar\\.gz\\n[0-9a-f]{64}  ${ROOT}\\.zip\\n$`),
    );

    const site = realpathSync(mkdtempSync(join(tmpdir(), 'sy-branch-pc-')));
    expect(relative(realpathSync(REPO_ROOT), site).startsWith('..')).toBe(true);
    execFileSync('tar', ['-xzf', first.tar, '-C', site]);
    const pkg = join(site, ROOT);
    const conf = join(pkg, 'conf', 'agent.conf');
    const localApiPort = await freePort();
    writeFileSync(
      conf,
      readFileSync(conf, 'utf8')
        .replace(/^central\.host=.*$/m, 'central.host=127.0.0.1')
        .replace(/^central\.websocket\.port=.*$/m, `central.websocket.port=${c.ports.plain}`)
        .replace(/^agent\.id=.*$/m, `agent.id=${AGENT_ID}`)
        .replace(/^agent\.local\.api\.enabled=.*$/m, 'agent.local.api.enabled=true')
        .replace(/^agent\.local\.api\.port=.*$/m, `agent.local.api.port=${localApiPort}`),
    );

    const node = targetNode();
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    // Nothing of the repository on the way: no node_modules/.bin on PATH, no NODE_OPTIONS from jest.
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/bin:/bin',
      HOME: site,
      SWITCHYARD_NODE: node.path,
      TMPDIR: site,
    };
    const child = spawn(
      join(pkg, 'bin', 'switchyard-agent'),
      ['--token', token, '--backoff-base-ms', '200', '--backoff-max-ms', '2000'],
      { cwd: site, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent = new RunningProcess('packaged agent', child);
    await agent.waitForOutput(
      new RegExp(`switchyard agent ${VERSION.replaceAll('.', '\\.')} starting`),
      30_000,
    );
    // The launcher exec'd the node it was given: the process IS that node, running the bundle.
    expect(readlinkSync(`/proc/${child.pid}/exe`)).toBe(realpathSync(node.path));

    const row = () =>
      c.api.call<{ status: string; transport: string; agentVersion: string }>(
        'GET',
        `/api/agents/${AGENT_ID}`,
      );
    try {
      await waitFor('the packaged agent online', async () => (await row()).body.status === 'online', 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nagent output:\n${agent.output.slice(-3000)}`);
    }
    expect((await row()).body).toMatchObject({ status: 'online', transport: 'plain', agentVersion: VERSION });
    // The home defaults to the package folder: the credential was stored there, private.
    await waitFor('the credential stored', async () => statSync(join(pkg, 'state', 'credential')).isFile());
    expect(statSync(join(pkg, 'state', 'credential')).mode & 0o777).toBe(0o600);
    expect(agent.output).not.toContain(token);

    // Issue 17 point 3, level 1: the local API of the packaged agent, from this machine.
    const local = `http://127.0.0.1:${localApiPort}`;
    await waitFor('status connected on the local API', async () => {
      const r = await fetch(`${local}/status`);
      return r.status === 200 && ((await r.json()) as { state: string }).state === 'connected';
    });
    const put = await fetch(`${local}/files/inbox/prices.csv`, { method: 'PUT', body: 'sku;price\n1;2\n' });
    expect(put.status).toBe(201);
    expect(readFileSync(join(pkg, 'files', 'inbox', 'prices.csv'), 'utf8')).toBe('sku;price\n1;2\n');
    expect((await fetch(`${local}/files/..%2Fstate%2Fcredential`)).status).toBe(400);

    // Idle memory of the packaged agent (docs/benchmarks.md): connected, nothing to do.
    await new Promise((r) => setTimeout(r, 1000));
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    expect(await agent.stop('SIGTERM')).toBe(0);
    await waitFor('the packaged agent offline', async () => (await row()).body.status === 'offline', 15_000);
    process.stderr.write(
      `agent-package: ran on ${node.path} ${node.version}; archive ${statSync(first.tar).size} bytes; idle RSS ${rss} kB\n`,
    );
  });
});
