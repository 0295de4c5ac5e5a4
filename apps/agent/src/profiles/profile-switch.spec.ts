import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCode } from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import type { AgentRunner } from '../agent-runner.js';
import type { FakeSession } from '../testing/fake-central.js';
import {
  buildTestProfile,
  confText,
  generateProfileSigningKey,
  ProfileCentral,
  serverIdentity,
  until,
  type TestProfile,
} from '../testing/profile-fixtures.js';
import { enrolledProfileHome, readAgentStatus } from '../testing/profile-home.js';
import { testRunner } from '../testing/test-runner.js';

const key = generateProfileSigningKey();
let central: { cert: string; key: string; der: Buffer };
let impostor: { cert: string; key: string; der: Buffer };

beforeAll(async () => {
  [central, impostor] = await Promise.all([serverIdentity(), serverIdentity()]);
});

describe('profile activation through a candidate connection (plain → secure)', () => {
  let dir: string;
  let home: AgentHome;
  let lines: string[];
  let plain: ProfileCentral;
  let secure: ProfileCentral;
  let runner: AgentRunner;
  let delivery = 0;

  const status = () => readAgentStatus(home);
  const log = () => lines.join('\n');
  const plainConf = (extra: string[] = []) =>
    confText({ host: 'localhost', plainPort: plain.port, securePort: secure.port, extra });
  const secureConf = (extra: string[] = []) =>
    confText({ host: 'localhost', plainPort: plain.port, securePort: secure.port, secure: true, extra });

  async function startAgent(extra: string[] = []): Promise<FakeSession> {
    runner = testRunner(home, plainConf(extra), lines);
    void runner.run();
    const session = await plain.session(0);
    await until('connected', () => status().state === 'connected');
    return session;
  }

  /** Sends a frame on `s`; resolves with every profile.status of that delivery, on any session, once final. */
  async function deliver(s: FakeSession, frame: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const deliveryId = `d${++delivery}`;
    s.send({ ...frame, deliveryId });
    const mine = () =>
      [...plain.central.sessions, ...secure.central.sessions].flatMap((x) =>
        x.frames.filter((f) => f.type === 'profile.status' && f.deliveryId === deliveryId),
      );
    await until(
      'a final answer',
      () => mine().some((f) => ['synchronized', 'applied', 'failed'].includes(f.state as string)),
      10_000,
    );
    return mine();
  }
  const sync = (s: FakeSession, p: TestProfile) =>
    deliver(s, {
      type: 'profile.sync',
      profile: p.profile,
      revision: p.revision,
      sha256: p.sha256,
      sizeBytes: p.archive.length,
    });
  const activate = (s: FakeSession, p: TestProfile) =>
    deliver(s, { type: 'profile.activate', profile: p.profile, revision: p.revision, sha256: p.sha256 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-switch-'));
    home = enrolledProfileHome(dir, impostor.der);
    lines = [];
    plain = await ProfileCentral.start(key.publicKey);
  });
  afterEach(async () => {
    await runner?.stop();
    await Promise.all([plain.close(), secure.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits only after a welcome on the candidate, then runs on wss (central replaces the old session first)', async () => {
    secure = await ProfileCentral.start(key.publicKey, {
      tls: central,
      // As central does: the newer session of an agent replaces the older one, before welcome.
      onSession: (s) =>
        void s.frame('hello').then(() => {
          plain.central.sessions[0].socket.close(CloseCode.REPLACED, 'replaced by a newer connection');
          setTimeout(
            () => s.welcome({ profileSigningKey: key.publicKey.export({ type: 'spki', format: 'pem' }) }),
            50,
          );
        }),
    });
    const old = await startAgent();
    const oldConf = readFileSync(home.confFile, 'utf8');
    const profile = await buildTestProfile(key, { revision: 2, conf: secureConf(), trusted: [central.der] });
    plain.archives.set(profile.sha256, profile.archive);
    expect((await sync(old, profile)).map((f) => f.state)).toEqual(['synchronizing', 'synchronized']);

    const answers = await activate(old, profile);
    expect(answers.map((f) => f.state)).toEqual(['applying', 'applied']);
    const candidate = await secure.session(0);
    // The candidate's hello tells central it still runs the old profile and has the new one staged.
    expect(await candidate.frame('hello')).toMatchObject({
      transport: 'secure',
      profileSha256: null,
      stagedProfileSha256: profile.sha256,
      candidate: true,
    });
    // `applying` went out on the old connection, `applied` on the new one.
    expect(old.frames.filter((f) => f.type === 'profile.status').map((f) => f.state)).toEqual([
      'synchronizing',
      'synchronized',
      'applying',
    ]);
    expect(candidate.frames.filter((f) => f.type === 'profile.status').map((f) => f.state)).toEqual([
      'applied',
    ]);
    expect(readFileSync(home.confFile, 'utf8')).toBe(secureConf());
    expect(readFileSync(join(home.profilesDir, 'previous', 'agent.conf'), 'utf8')).toBe(oldConf);
    await until('status on wss', () => status().url === `wss://localhost:${secure.port}/agent`);
    expect(status()).toMatchObject({
      state: 'connected',
      transport: 'secure',
      profile: { active: { sha256: profile.sha256 }, staged: null, lastError: null },
    });
    expect(log()).toContain(
      `INFO  switching to wss://localhost:${secure.port}/agent: candidate welcomed, committed profile default r2`,
    );
    // No reconnect the old way, neither after central replaced it nor because conf/ changed under the watcher.
    await new Promise((r) => setTimeout(r, 200));
    expect(plain.central.sessions).toHaveLength(1);
    expect(secure.central.sessions).toHaveLength(1);
    expect(log()).not.toContain('agent.conf changed');

    // The next revision comes over https from the secure listener, trusted through the new truststore.
    const next = await buildTestProfile(key, {
      revision: 3,
      conf: secureConf(['agent.group=south']),
      trusted: [central.der],
    });
    secure.archives.set(next.sha256, next.archive);
    expect((await sync(candidate, next)).map((f) => f.state)).toEqual(['synchronizing', 'synchronized']);
    expect((await activate(candidate, next)).map((f) => f.state)).toEqual(['applying', 'applied']);
    expect(secure.downloads.map((d) => d.url)).toEqual([`/profiles/${next.sha256}.zip`]);
    expect(log()).toContain('profile default r3');
    expect(log()).toContain('applied (connection unchanged)');
    expect(secure.central.sessions).toHaveLength(1);
  });

  it('reverts when the candidate does not trust central: failed(certificate not trusted…), still on ws', async () => {
    secure = await ProfileCentral.start(key.publicKey, { tls: impostor });
    const old = await startAgent();
    const before = readFileSync(home.confFile, 'utf8');
    // The profile trusts `central`, but the secure listener shows the impostor's certificate.
    const profile = await buildTestProfile(key, { revision: 2, conf: secureConf(), trusted: [central.der] });
    plain.archives.set(profile.sha256, profile.archive);
    await sync(old, profile);
    const answers = await activate(old, profile);
    expect(answers.map((f) => f.state)).toEqual(['applying', 'failed']);
    expect(answers[1].reason).toBe(
      `candidate connection to wss://localhost:${secure.port}/agent failed: certificate not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); kept ws://localhost:${plain.port}/agent`,
    );
    expect(secure.central.upgrades).toHaveLength(0);
    expect(readFileSync(home.confFile, 'utf8')).toBe(before);
    expect(existsSync(join(home.profilesDir, 'previous'))).toBe(false);
    expect(old.socket.readyState).toBe(old.socket.OPEN);
    expect(plain.central.sessions).toHaveLength(1);
    expect(status()).toMatchObject({
      state: 'connected',
      url: `ws://localhost:${plain.port}/agent`,
      profile: {
        active: null,
        staged: { sha256: profile.sha256 },
        lastError: { step: 'activate', reason: answers[1].reason },
      },
    });
  });

  it('reconnects the old way when central replaced the old session but the candidate then failed', async () => {
    secure = await ProfileCentral.start(key.publicKey, {
      tls: central,
      // Central takes the candidate's hello (closing the old session) but the welcome never comes.
      onSession: (s) =>
        void s
          .frame('hello')
          .then(() =>
            plain.central.sessions[0].socket.close(CloseCode.REPLACED, 'replaced by a newer connection'),
          ),
    });
    const old = await startAgent(['agent.switch.timeout=1']);
    const profile = await buildTestProfile(key, { revision: 2, conf: secureConf(), trusted: [central.der] });
    plain.archives.set(profile.sha256, profile.archive);
    await sync(old, profile);
    const answers = await activate(old, profile);
    expect(answers.map((f) => f.state)).toEqual(['applying', 'failed']);
    // The failure is told on the new old-style connection, whose hello still reports the profile staged.
    const back = await plain.session(1);
    expect(await back.frame('hello')).toMatchObject({
      transport: 'plain',
      profileSha256: null,
      stagedProfileSha256: profile.sha256,
    });
    expect(back.frames.find((f) => f.type === 'profile.status')).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/no welcome within 1 s; kept ws:\/\/localhost:\d+\/agent$/),
    });
    await until('connected over ws', () => status().state === 'connected');
    expect(status().url).toBe(`ws://localhost:${plain.port}/agent`);
    expect(readFileSync(home.confFile, 'utf8')).toBe(plainConf(['agent.switch.timeout=1']));
  });

  it('reverts when the candidate gets no welcome within agent.switch.timeout', async () => {
    secure = await ProfileCentral.start(key.publicKey, { tls: central, onSession: () => {} });
    const old = await startAgent(['agent.switch.timeout=1']);
    const profile = await buildTestProfile(key, { revision: 2, conf: secureConf(), trusted: [central.der] });
    plain.archives.set(profile.sha256, profile.archive);
    await sync(old, profile);
    const started = Date.now();
    const answers = await activate(old, profile);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(answers.at(-1)).toMatchObject({
      state: 'failed',
      reason: `candidate connection to wss://localhost:${secure.port}/agent failed: no welcome within 1 s; kept ws://localhost:${plain.port}/agent`,
    });
    expect((await (await secure.session(0)).closed).code).toBe(1000);
    expect(old.socket.readyState).toBe(old.socket.OPEN);
    expect(status()).toMatchObject({ state: 'connected', url: `ws://localhost:${plain.port}/agent` });
  });
});
