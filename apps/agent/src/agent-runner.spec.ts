import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore } from '../../../libs/keystore/index.js';
import { CloseCode } from '../../../libs/protocol/index.js';
import { parseAgentConfText } from './agent-conf-file.js';
import { AgentHome } from './agent-home.js';
import { AgentRunner, type AgentRunnerOptions } from './agent-runner.js';
import { ExitCode } from './exit-codes.js';
import { Logger } from './logger.js';
import type { AgentStatus } from './status-file.js';
import { FakeCentral } from './testing/fake-central.js';
import { createTestCa, issueServerCertificate } from './testing/test-certificates.js';

const TOKEN = 'syt_' + 't'.repeat(43);
const CREDENTIAL = 'sya_' + 'c'.repeat(43);

function agentConf(o: { plainPort: number; securePort?: number; secure?: boolean; host?: string }): string {
  return [
    '# agent.conf written by the test',
    `central.host=${o.host ?? '127.0.0.1'}`,
    `central.websocket.port=${o.plainPort}`,
    `central.websocket.secure=${o.secure ?? false}`,
    `central.websocket.secure.port=${o.securePort ?? 9150}`,
    'agent.id=branch-7',
    'jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
    '',
  ].join('\n');
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('AgentRunner against a real WebSocket server', () => {
  let dir: string;
  let home: AgentHome;
  let lines: string[];
  const centrals: FakeCentral[] = [];
  const runners: AgentRunner[] = [];

  const start = async (options: Parameters<typeof FakeCentral.start>[0] = {}) => {
    const central = await FakeCentral.start(options);
    centrals.push(central);
    return central;
  };
  const writeConf = (text: string) => writeFileSync(home.confFile, text);
  const status = () => JSON.parse(readFileSync(home.statusFile, 'utf8')) as AgentStatus;
  const log = () => lines.join('\n');
  const runner = (text: string, overrides: Partial<AgentRunnerOptions> = {}) => {
    writeConf(text);
    const loaded = parseAgentConfText(text);
    if (!loaded.ok) throw new Error(loaded.issues.join('; '));
    const created = new AgentRunner({
      home,
      conf: loaded.conf,
      confText: text,
      credential: undefined,
      enrollmentToken: TOKEN,
      logger: new Logger('debug', (line) => lines.push(line)),
      backoff: { baseMs: 20, maxMs: 100 },
      random: () => 0.5,
      confPollMs: 25,
      ...overrides,
    });
    runners.push(created);
    return created;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-'));
    home = new AgentHome(dir);
    mkdirSync(join(dir, 'conf', 'security'), { recursive: true });
    lines = [];
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await Promise.all(centrals.splice(0).map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls with the token, stores the credential, and reconnects with it after central closes', async () => {
    const central = await start({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          const first = central.sessions.length === 1;
          session.welcome(first ? { credential: CREDENTIAL } : {});
          if (first) setTimeout(() => session.socket.close(CloseCode.GOING_AWAY, 'central restarting'), 50);
        }),
    });
    const agent = runner(agentConf({ plainPort: central.port }));
    const exit = agent.run();

    const first = await central.session(0);
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.headers['x-switchyard-agent-id']).toBe('branch-7');
    expect(await first.frame('hello')).toEqual({
      type: 'hello',
      agentId: 'branch-7',
      agentVersion: JSON.parse(readFileSync('package.json', 'utf8')).version,
      protocolVersion: 1,
      capabilities: ['wss', 'mtls', 'client-cert-in-session'],
      profileSha256: null,
      stagedProfileSha256: null,
      transport: 'plain',
    });

    const second = await central.session(1);
    expect(second.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
    expect(readFileSync(home.credentialFile, 'utf8').trim()).toBe(CREDENTIAL);
    expect(statSync(home.credentialFile).mode & 0o777).toBe(0o600);
    expect(statSync(home.stateDir).mode & 0o777).toBe(0o700);
    await until('connected again', () => status().state === 'connected' && central.sessions.length === 2);
    expect(status()).toMatchObject({
      state: 'connected',
      url: `ws://127.0.0.1:${central.port}/agent`,
      transport: 'plain',
      nodeId: 'central-1',
      lastError: null,
    });
    expect(log()).toContain('INFO  enrolled as branch-7; credential stored in state/credential');
    expect(log()).toContain(`INFO  connected via ws to 127.0.0.1:${central.port} (node central-1)`);
    expect(log()).toMatch(
      /WARN {2}connection closed by central \(1001 going away: central restarting\), retrying in 0\.0 s/,
    );
    expect(log()).not.toContain(TOKEN);
    expect(log()).not.toContain(CREDENTIAL);

    await agent.stop();
    expect(await exit).toBe(ExitCode.OK);
    expect(await second.frame('goodbye')).toEqual({ type: 'goodbye', reason: 'agent stopping' });
    expect((await second.closed).code).toBe(1000);
    expect(status().state).toBe('stopped');
  });

  it('reports its profile sha256 and answers status.report with the content of status.json', async () => {
    const sha = 'ab'.repeat(32);
    mkdirSync(home.stateDir, { recursive: true });
    writeFileSync(home.activeProfileFile, JSON.stringify({ profile: 'default', revision: 3, sha256: sha }));
    const central = await start();
    const agent = runner(agentConf({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
    });
    void agent.run();
    const session = await central.session(0);
    expect(await session.frame('hello')).toMatchObject({ profileSha256: sha });
    await until('connected', () => status().state === 'connected');
    session.send({ type: 'command', id: 'r1', name: 'status.report' });
    session.send({ type: 'command', id: 'r2', name: 'restart' });
    const result = await session.frame('command.result');
    expect(result).toMatchObject({ id: 'r1', ok: true });
    expect(result.output).toBe(readFileSync(home.statusFile, 'utf8'));
    await until(
      'second result',
      () => session.frames.filter((f) => f.type === 'command.result').length === 2,
    );
    expect(session.frames.find((f) => f.id === 'r2')).toEqual({
      type: 'command.result',
      id: 'r2',
      ok: false,
      output: 'not supported yet',
    });
  });

  it('stops with exit code 3 when central revokes the agent, and moves the credential aside', async () => {
    mkdirSync(home.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(home.credentialFile, CREDENTIAL, { mode: 0o600 });
    const central = await start({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          session.welcome();
          session.socket.close(CloseCode.AGENT_REVOKED, 'revoked');
        }),
    });
    const agent = runner(agentConf({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
    });
    expect(await agent.run()).toBe(ExitCode.REVOKED);
    expect(log()).toContain('ERROR central revoked this agent; enroll again with a new token');
    expect(central.sessions).toHaveLength(1);
    expect(status()).toMatchObject({ state: 'stopped', lastError: 'revoked by central' });
    expect(() => statSync(home.credentialFile)).toThrow(/ENOENT/);
  });

  it('keeps backing off while central refuses the credential with 401', async () => {
    const central = await start({ refuse: () => 401 });
    const agent = runner(agentConf({ plainPort: central.port }));
    void agent.run();
    await until('three attempts', () => central.upgrades.length >= 3);
    expect(log()).toMatch(/WARN {2}central refused the credential \(HTTP 401\), retrying in 0\.0 s/);
    await until('backoff state', () => status().state === 'backoff');
    expect(status().lastError).toBe('central refused the credential (HTTP 401)');
  });

  it('follows agent.conf: reconnects right away to new settings, keeps the running ones if the file is invalid', async () => {
    const a = await start();
    const b = await start();
    const agent = runner(agentConf({ plainPort: a.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
    });
    void agent.run();
    await until('connected to a', () => status().state === 'connected');

    writeConf('central.host=\ncentral.websocket.port=seventy\nagent.id=branch-7\n');
    await until('invalid conf logged', () => /agent\.conf changed but is invalid/.test(log()));
    // one line per issue
    expect(log()).toContain('ERROR   central.host: is required but empty');
    expect(log()).toContain('ERROR   central.websocket.port: must be a port number 1-65535 (got "seventy")');
    expect(a.sessions).toHaveLength(1);

    writeConf(agentConf({ plainPort: b.port }));
    const moved = await b.session(0);
    await moved.frame('hello');
    expect(log()).toContain(`INFO  agent.conf changed: reconnecting via ws://127.0.0.1:${b.port}/agent`);
    expect((await a.sessions[0].closed).code).toBe(1000);
    await until(
      'connected to b',
      () => status().state === 'connected' && status().url!.includes(String(b.port)),
    );
    expect(a.sessions).toHaveLength(1);
  });

  it('over wss trusts only the truststore, reports an untrusted certificate, and never falls back to plain', async () => {
    const [trusted, other] = await Promise.all([createTestCa('Central CA'), createTestCa('Impostor CA')]);
    writeFileSync(
      join(dir, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central-ca', der: trusted.der }], 'changeit'),
    );
    const plain = await start();
    const impostor = await start({ tls: await issueServerCertificate(other, ['localhost']) });
    const agent = runner(
      agentConf({ host: 'localhost', plainPort: plain.port, securePort: impostor.port, secure: true }),
      {
        credential: CREDENTIAL,
        enrollmentToken: undefined,
      },
    );
    void agent.run();
    await until('two failed attempts', () => impostor.tcpConnections >= 2);
    await until('backoff state', () => status().state === 'backoff');
    expect(status()).toMatchObject({
      url: `wss://localhost:${impostor.port}/agent`,
      transport: 'secure',
      lastError:
        'certificate not trusted: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    });
    expect(log()).toContain(
      'WARN  certificate not trusted: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE), retrying in',
    );
    expect(impostor.upgrades).toHaveLength(0);
    expect(plain.tcpConnections).toBe(0);

    // the admin puts the right certificate on the secure port: the agent connects over wss
    const genuine = await start({ tls: await issueServerCertificate(trusted, ['localhost']) });
    writeConf(
      agentConf({ host: 'localhost', plainPort: plain.port, securePort: genuine.port, secure: true }),
    );
    const session = await genuine.session(0);
    expect(await session.frame('hello')).toMatchObject({ transport: 'secure' });
    await until('connected', () => status().state === 'connected');
    expect(log()).toContain(`INFO  connected via wss to localhost:${genuine.port} (node central-1)`);
    expect(plain.tcpConnections).toBe(0);
  });
});
