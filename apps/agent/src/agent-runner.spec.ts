import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore, writePkcs12Truststore } from '../../../libs/keystore/index.js';
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

/** A session the agent left before its hello (the agent stopped): nothing to answer. */
const ignore = (): void => undefined;

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
      capabilities: ['wss', 'mtls', 'client-cert-in-session', 'diagnostics'],
      profileSha256: null,
      stagedProfileSha256: null,
      candidate: false,
      groups: [],
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
    expect(log()).toContain(
      'ERROR central revoked this agent; to admit it again an admin issues a re-enroll token (POST /api/agents/:id/re-enroll)',
    );
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

  it('answers a profile.sync it refuses after every welcome without reconnecting at all', async () => {
    const sha256 = 'b'.repeat(64);
    const central = await start({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          session.welcome();
          session.send({
            type: 'profile.sync',
            deliveryId: `d-${central.sessions.length}`,
            profile: 'big',
            revision: 1,
            sha256,
            sizeBytes: 99_999_999,
          });
        }, ignore),
    });
    const agent = runner(agentConf({ plainPort: central.port }), { backoff: { baseMs: 250, maxMs: 5000 } });
    void agent.run();
    const session = await central.session(0);
    expect(await session.frame('profile.status')).toMatchObject({ deliveryId: 'd-1', state: 'failed' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(central.sessions).toHaveLength(1);
    expect(status().state).toBe('connected');
  });

  it('lets the backoff grow while central closes every connection right after welcome (no reset at welcome)', async () => {
    const opened: number[] = [];
    const central = await start({
      onSession: (session) => {
        opened.push(Date.now());
        void session.frame('hello').then(() => {
          session.welcome();
          session.socket.close(CloseCode.POLICY_VIOLATION, 'refused after welcome');
        }, ignore);
      },
    });
    const agent = runner(agentConf({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
      backoff: { baseMs: 250, maxMs: 5000 },
    });
    void agent.run();
    await new Promise((r) => setTimeout(r, 2500));
    // with random 0.5 the delays are 125, 250, 500, 1000 ms: at most 4 reconnects in 2.5 s (before the
    // fix: one every 125 ms, ~20)
    expect(opened.length - 1).toBeLessThanOrEqual(4);
    expect(opened.length - 1).toBeGreaterThanOrEqual(3);
    const gaps = opened.slice(1).map((t, i) => t - opened[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
    expect(log()).toMatch(/retrying in 0\.1 s[\s\S]*retrying in 0\.3 s[\s\S]*retrying in 0\.5 s/);
  });

  it('starts the backoff over once a connection stayed welcomed for healthyAfterMs', async () => {
    const central = await start({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          session.welcome();
          setTimeout(() => session.socket.close(CloseCode.GOING_AWAY, 'central restarting'), 300);
        }, ignore),
    });
    const agent = runner(agentConf({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
      backoff: { baseMs: 200, maxMs: 5000 },
      healthyAfterMs: 150,
    });
    void agent.run();
    await central.session(3, 5000);
    const delays = lines
      .filter((l) => l.includes('retrying in'))
      .map((l) => /retrying in (\S+) s/.exec(l)![1]);
    expect(delays.slice(0, 3)).toEqual(['0.1', '0.1', '0.1']);
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
        'certificate not trusted: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)',
    });
    expect(log()).toContain(
      'WARN  certificate not trusted: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY), retrying in',
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

  describe('truststore read by content and followed on disk', () => {
    const truststore = () => join(dir, 'conf', 'security', 'truststore.jks');
    const replace = (bytes: Buffer) => {
      writeFileSync(truststore() + '.tmp', bytes);
      renameSync(truststore() + '.tmp', truststore());
    };

    it('connects with PKCS#12 in truststore.jks declared JKS; a replaced file takes effect at the next connection, and a fix wakes the backoff', async () => {
      const [trusted, other] = await Promise.all([createTestCa('Central CA'), createTestCa('Other CA')]);
      const good = writePkcs12Truststore([{ alias: 'central', der: trusted.der }], 'changeit');
      replace(good);
      const central = await start({
        tls: await issueServerCertificate(trusted, ['localhost']),
        onSession: (session) => void session.frame('hello').then(() => session.welcome(), ignore),
      });
      let calls = 0;
      const agent = runner(
        agentConf({ host: 'localhost', plainPort: 1, securePort: central.port, secure: true }),
        {
          credential: CREDENTIAL,
          enrollmentToken: undefined,
          // the first delay (after central closes) is 0; any later one is 10 s: only a wake-up is quick
          backoff: { baseMs: 20_000, maxMs: 20_000 },
          random: () => (calls++ === 0 ? 0 : 0.5),
          truststorePollMs: 100,
        },
      );
      void agent.run();
      const first = await central.session(0);
      await until('connected', () => status().state === 'connected');
      expect(log()).toMatch(
        /INFO {2}truststore .*truststore\.jks is PKCS12 although its declared type is JKS/,
      );

      // an operator replaces the truststore by one that does not trust central; the connection stays up
      replace(writePkcs12Truststore([{ alias: 'other', der: other.der }], 'changeit'));
      await new Promise((r) => setTimeout(r, 300));
      expect(status().state).toBe('connected');
      // the next connection uses it, and fails
      const attempts = central.tcpConnections;
      first.socket.close(CloseCode.GOING_AWAY, 'central restarting');
      await until('untrusted', () => status().state === 'backoff' && central.tcpConnections > attempts);
      expect(status().lastError).toMatch(/^certificate not trusted/);
      expect(central.sessions).toHaveLength(1);

      // put back: the agent reconnects right away instead of sleeping 10 s
      const fixedAt = Date.now();
      replace(good);
      await central.session(1, 3000);
      await until('connected again', () => status().state === 'connected');
      expect(Date.now() - fixedAt).toBeLessThan(3000);
      expect(log()).toMatch(/INFO {2}truststore .*truststore\.jks changed: reconnecting now/);
    });

    it('logs an unusable truststore once, naming the file and the fix, however often it retries', async () => {
      const ca = await createTestCa('Central CA');
      replace(writeJksTruststore([{ alias: 'central', der: ca.der }], 'not-changeit'));
      const agent = runner(agentConf({ host: 'localhost', plainPort: 1, securePort: 2, secure: true }), {
        credential: CREDENTIAL,
        enrollmentToken: undefined,
      });
      void agent.run();
      await until('several attempts', () => lines.filter((l) => l.includes('retrying in')).length >= 5);
      const errors = lines.filter((l) => l.includes('ERROR'));
      expect(errors).toEqual([
        expect.stringContaining(
          `ERROR truststore ${truststore()}: keystore password was incorrect (or the file was altered) — set -Djavax.net.ssl.trustStorePassword in jetty.jvm.args to the store's password, retrying in`,
        ),
      ]);
      expect(status()).toMatchObject({ state: 'backoff', lastError: expect.stringContaining('password') });
    });
  });
});
