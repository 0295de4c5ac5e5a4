import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { CloseCode } from '../../../libs/protocol/index.js';
import { ExitCode } from './exit-codes.js';
import { confText, CREDENTIAL, until } from './testing/profile-fixtures.js';
import { runnerTestbed, TOKEN } from './testing/runner-testbed.js';

/** A session the agent left before its hello (the agent stopped): nothing to answer. */
const ignore = (): void => undefined;

describe('AgentRunner against a real WebSocket server', () => {
  const bed = runnerTestbed();

  it('enrolls with the token, stores the credential, and reconnects with it after central closes', async () => {
    const central = await bed.central({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          const first = central.sessions.length === 1;
          session.welcome(first ? { credential: CREDENTIAL } : {});
          if (first) setTimeout(() => session.socket.close(CloseCode.GOING_AWAY, 'central restarting'), 50);
        }),
    });
    const agent = bed.runner(confText({ plainPort: central.port }));
    const exit = agent.run();

    const first = await central.session(0);
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.headers['x-switchyard-agent-id']).toBe('branch-7');
    expect(await first.frame('hello')).toEqual({
      type: 'hello',
      agentId: 'branch-7',
      agentVersion: JSON.parse(readFileSync('package.json', 'utf8')).version,
      protocolVersion: 1,
      capabilities: ['wss', 'mtls', 'client-cert-in-session', 'diagnostics', 'agent-events'],
      profileSha256: null,
      stagedProfileSha256: null,
      candidate: false,
      groups: [],
      transport: 'plain',
    });

    const second = await central.session(1);
    expect(second.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
    expect(readFileSync(bed.home.credentialFile, 'utf8').trim()).toBe(CREDENTIAL);
    expect(statSync(bed.home.credentialFile).mode & 0o777).toBe(0o600);
    expect(statSync(bed.home.stateDir).mode & 0o777).toBe(0o700);
    await until('connected again', () => bed.status().state === 'connected' && central.sessions.length === 2);
    expect(bed.status()).toMatchObject({
      state: 'connected',
      url: `ws://127.0.0.1:${central.port}/agent`,
      transport: 'plain',
      nodeId: 'central-1',
      lastError: null,
    });
    expect(bed.log()).toContain('INFO  enrolled as branch-7; credential stored in state/credential');
    expect(bed.log()).toContain(`INFO  connected via ws to 127.0.0.1:${central.port} (node central-1)`);
    expect(bed.log()).toMatch(
      /WARN {2}connection closed by central \(1001 going away: central restarting\), retrying in 0\.0 s/,
    );
    expect(bed.log()).not.toContain(TOKEN);
    expect(bed.log()).not.toContain(CREDENTIAL);

    await agent.stop();
    expect(await exit).toBe(ExitCode.OK);
    expect(await second.frame('goodbye')).toEqual({ type: 'goodbye', reason: 'agent stopping' });
    expect((await second.closed).code).toBe(1000);
    expect(bed.status().state).toBe('stopped');
  });

  it('reports its profile sha256 and answers status.report with the content of status.json', async () => {
    const sha = 'ab'.repeat(32);
    mkdirSync(bed.home.stateDir, { recursive: true });
    writeFileSync(
      bed.home.activeProfileFile,
      JSON.stringify({ profile: 'default', revision: 3, sha256: sha }),
    );
    const central = await bed.central();
    const agent = bed.runner(confText({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
    });
    void agent.run();
    const session = await central.session(0);
    expect(await session.frame('hello')).toMatchObject({ profileSha256: sha });
    await until('connected', () => bed.status().state === 'connected');
    session.send({ type: 'command', id: 'r1', name: 'status.report' });
    session.send({ type: 'command', id: 'r2', name: 'restart' });
    const result = await session.frame('command.result');
    expect(result).toMatchObject({ id: 'r1', ok: true });
    expect(result.output).toBe(readFileSync(bed.home.statusFile, 'utf8'));
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
    mkdirSync(bed.home.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(bed.home.credentialFile, CREDENTIAL, { mode: 0o600 });
    const central = await bed.central({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          session.welcome();
          session.socket.close(CloseCode.AGENT_REVOKED, 'revoked');
        }),
    });
    const agent = bed.runner(confText({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
    });
    expect(await agent.run()).toBe(ExitCode.REVOKED);
    expect(bed.log()).toContain(
      'ERROR central revoked this agent; to admit it again an admin issues a re-enroll token (POST /api/agents/:id/re-enroll)',
    );
    expect(central.sessions).toHaveLength(1);
    expect(bed.status()).toMatchObject({ state: 'stopped', lastError: 'revoked by central' });
    expect(() => statSync(bed.home.credentialFile)).toThrow(/ENOENT/);
  });

  it('keeps backing off while central refuses the credential with 401', async () => {
    const central = await bed.central({ refuse: () => 401 });
    const agent = bed.runner(confText({ plainPort: central.port }));
    void agent.run();
    await until('three attempts', () => central.upgrades.length >= 3);
    expect(bed.log()).toMatch(/WARN {2}central refused the credential \(HTTP 401\), retrying in 0\.0 s/);
    await until('backoff state', () => bed.status().state === 'backoff');
    expect(bed.status().lastError).toBe('central refused the credential (HTTP 401)');
  });

  it('follows agent.conf: reconnects right away to new settings, keeps the running ones if the file is invalid', async () => {
    const a = await bed.central();
    const b = await bed.central();
    const agent = bed.runner(confText({ plainPort: a.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
    });
    void agent.run();
    await until('connected to a', () => bed.status().state === 'connected');

    bed.writeConf('central.host=\ncentral.websocket.port=seventy\nagent.id=branch-7\n');
    await until('invalid conf logged', () => /agent\.conf changed but is invalid/.test(bed.log()));
    // one line per issue
    expect(bed.log()).toContain('ERROR   central.host: is required but empty');
    expect(bed.log()).toContain(
      'ERROR   central.websocket.port: must be a port number 1-65535 (got "seventy")',
    );
    expect(a.sessions).toHaveLength(1);

    bed.writeConf(confText({ plainPort: b.port }));
    const moved = await b.session(0);
    await moved.frame('hello');
    expect(bed.log()).toContain(`INFO  agent.conf changed: reconnecting via ws://127.0.0.1:${b.port}/agent`);
    expect((await a.sessions[0].closed).code).toBe(1000);
    await until(
      'connected to b',
      () => bed.status().state === 'connected' && bed.status().url!.includes(String(b.port)),
    );
    expect(a.sessions).toHaveLength(1);
  });

  it('answers a profile.sync it refuses after every welcome without reconnecting at all', async () => {
    const sha256 = 'b'.repeat(64);
    const central = await bed.central({
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
    const agent = bed.runner(confText({ plainPort: central.port }), {
      backoff: { baseMs: 250, maxMs: 5000 },
    });
    void agent.run();
    const session = await central.session(0);
    expect(await session.frame('profile.status')).toMatchObject({ deliveryId: 'd-1', state: 'failed' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(central.sessions).toHaveLength(1);
    expect(bed.status().state).toBe('connected');
  });

  it('lets the backoff grow while central closes every connection right after welcome (no reset at welcome)', async () => {
    const opened: number[] = [];
    const central = await bed.central({
      onSession: (session) => {
        opened.push(Date.now());
        void session.frame('hello').then(() => {
          session.welcome();
          session.socket.close(CloseCode.POLICY_VIOLATION, 'refused after welcome');
        }, ignore);
      },
    });
    const agent = bed.runner(confText({ plainPort: central.port }), {
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
    expect(bed.log()).toMatch(/retrying in 0\.1 s[\s\S]*retrying in 0\.3 s[\s\S]*retrying in 0\.5 s/);
  });

  it('starts the backoff over once a connection stayed welcomed for healthyAfterMs', async () => {
    const central = await bed.central({
      onSession: (session) =>
        void session.frame('hello').then(() => {
          session.welcome();
          setTimeout(() => session.socket.close(CloseCode.GOING_AWAY, 'central restarting'), 300);
        }, ignore),
    });
    const agent = bed.runner(confText({ plainPort: central.port }), {
      credential: CREDENTIAL,
      enrollmentToken: undefined,
      backoff: { baseMs: 200, maxMs: 5000 },
      healthyAfterMs: 150,
    });
    void agent.run();
    await central.session(3, 5000);
    const delays = bed.lines
      .filter((l) => l.includes('retrying in'))
      .map((l) => /retrying in (\S+) s/.exec(l)![1]);
    expect(delays.slice(0, 3)).toEqual(['0.1', '0.1', '0.1']);
  });
});
