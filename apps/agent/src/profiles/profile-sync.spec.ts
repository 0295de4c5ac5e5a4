import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore } from '../../../../libs/keystore/index.js';
import { craftProfileArchive, file } from '../../../../libs/profile-archive/testing/profile-archive.js';
import { zeroBomb } from '../../../../libs/profile-archive/testing/zip.js';
import { CloseCode } from '../../../../libs/protocol/index.js';
import type { AgentHome } from '../agent-home.js';
import type { AgentRunner } from '../agent-runner.js';
import type { FakeSession } from '../testing/fake-central.js';
import {
  AGENT_ID,
  buildTestProfile,
  confText,
  CREDENTIAL,
  generateProfileSigningKey,
  ProfileCentral,
  serverIdentity,
  sha256Of,
  snapshot,
  until,
  type TestProfile,
} from '../testing/profile-fixtures.js';
import { enrolledProfileHome, readAgentStatus } from '../testing/profile-home.js';
import { testRunner } from '../testing/test-runner.js';

const key = generateProfileSigningKey();
const otherKey = generateProfileSigningKey();
let trustedDer: Buffer;

beforeAll(async () => {
  trustedDer = (await serverIdentity()).der;
});

describe('profile synchronize and activate (same connection)', () => {
  let dir: string;
  let home: AgentHome;
  let lines: string[];
  let central: ProfileCentral;
  let runner: AgentRunner;
  let session: FakeSession;
  let delivery = 0;

  const status = () => readAgentStatus(home);
  const log = () => lines.join('\n');
  const homeConf = () => confText({ plainPort: central.port });

  async function startAgent(c: ProfileCentral = central): Promise<void> {
    runner = testRunner(home, confText({ plainPort: c.port }), lines);
    void runner.run();
    session = await c.session(0);
    await until('connected', () => status().state === 'connected');
  }

  /** Sends a frame and resolves with the profile.status frames of its delivery once one is final. */
  async function deliver(
    frame: Record<string, unknown>,
    s: FakeSession = session,
  ): Promise<Record<string, unknown>[]> {
    const deliveryId = `d${++delivery}`;
    s.send({ ...frame, deliveryId });
    const mine = () => s.frames.filter((f) => f.type === 'profile.status' && f.deliveryId === deliveryId);
    await until(
      `an answer to ${String(frame.type)}`,
      () => mine().some((f) => ['synchronized', 'applied', 'failed'].includes(f.state as string)),
      10_000,
    );
    return mine();
  }
  const sync = (p: TestProfile, s?: FakeSession, sizeBytes = p.archive.length) =>
    deliver(
      { type: 'profile.sync', profile: p.profile, revision: p.revision, sha256: p.sha256, sizeBytes },
      s,
    );
  const activate = (p: TestProfile) =>
    deliver({ type: 'profile.activate', profile: p.profile, revision: p.revision, sha256: p.sha256 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-profile-'));
    home = enrolledProfileHome(join(dir, 'home'), trustedDer);
    lines = [];
    central = await ProfileCentral.start(key.publicKey);
  });
  afterEach(async () => {
    await runner?.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stages a profile, applies it by the swap alone (no reconnect), and answers repeats at once', async () => {
    await startAgent();
    expect(readFileSync(home.profileSigningKeyFile, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(statSync(home.profileSigningKeyFile).mode & 0o777).toBe(0o600);
    const oldConf = homeConf();
    // Same connection; agent.id left at the template's placeholder, which the agent never takes over.
    const profile = await buildTestProfile(key, {
      revision: 3,
      conf: confText(
        { plainPort: central.port, extra: ['agent.group=north', 'vendor.key=kept'] },
        'CHANGE-ME',
      ),
      trusted: [trustedDer],
    });
    central.archives.set(profile.sha256, profile.archive);

    expect((await sync(profile)).map((f) => f.state)).toEqual(['synchronizing', 'synchronized']);
    const staged = readFileSync(join(home.profilesDir, 'staged', 'conf', 'agent.conf'), 'utf8');
    expect(staged).toContain(`agent.id=${AGENT_ID}`);
    expect(staged).not.toContain('CHANGE-ME');
    expect(
      statSync(join(home.profilesDir, 'staged', 'conf', 'security', 'truststore.p12')).mode & 0o777,
    ).toBe(0o600);
    expect(readFileSync(home.confFile, 'utf8')).toBe(oldConf); // nothing changes before activation
    const ref = { profile: 'default', revision: 3, sha256: profile.sha256 };
    expect(status().profile).toEqual({ active: null, staged: ref, lastError: null });
    expect(log()).toContain(`INFO  profile default r3 (sha ${profile.sha256.slice(0, 12)}) synchronized`);
    expect(log()).toContain('the profile sets agent.id=CHANGE-ME; this agent keeps its id branch-7');
    const download = central.downloads[0];
    expect(download.url).toBe(`/profiles/${profile.sha256}.zip`);
    expect(download.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);

    expect((await activate(profile)).map((f) => f.state)).toEqual(['applying', 'applied']);
    expect(readFileSync(home.confFile, 'utf8')).toBe(staged);
    expect(readFileSync(join(home.profilesDir, 'previous', 'agent.conf'), 'utf8')).toBe(oldConf);
    expect(JSON.parse(readFileSync(home.activeProfileFile, 'utf8'))).toEqual(ref);
    expect(existsSync(join(home.profilesDir, 'staged'))).toBe(false);
    expect(existsSync(join(home.profilesDir, 'swap.json'))).toBe(false);
    expect(status().profile).toEqual({ active: ref, staged: null, lastError: null });
    expect(log()).toContain(
      `INFO  profile default r3 (sha ${profile.sha256.slice(0, 12)}) applied (connection unchanged)`,
    );

    // The agent's own swap is not an operator's edit: no reconnect after several polls.
    await new Promise((r) => setTimeout(r, 150));
    expect(central.central.sessions).toHaveLength(1);
    expect(log()).not.toContain('agent.conf changed');

    // Repeats are answered at once, without a download.
    expect((await sync(profile)).map((f) => f.state)).toEqual(['synchronized']);
    expect((await activate(profile)).map((f) => f.state)).toEqual(['applied']);
    expect(central.downloads).toHaveLength(1);

    // The next hello tells central what runs.
    session.socket.close(CloseCode.GOING_AWAY, 'restart');
    const again = await central.session(1);
    expect(await again.frame('hello')).toMatchObject({
      profileSha256: profile.sha256,
      stagedProfileSha256: null,
    });
  });

  it('refuses poisoned archives with a precise reason, writing nothing outside staging', async () => {
    await startAgent();
    const conf = Buffer.from(confText({ plainPort: central.port }));
    const jks = writeJksTruststore([{ alias: 'ca', der: trustedDer }], 'changeit');
    const good = await buildTestProfile(key, { revision: 4, conf: conf.toString(), trusted: [trustedDer] });
    const crafted = (entries: Parameters<typeof craftProfileArchive>[0], k = key.privateKey) =>
      craftProfileArchive(entries, {
        key: k,
        manifest: { profile: 'default', revision: 4, minimumAgentVersion: '0.0.1' },
      });
    const cases: { name: string; archive: Buffer; announce?: string; serve?: 'truncated'; reason: RegExp }[] =
      [
        {
          name: 'zip slip',
          archive: crafted([file('conf/agent.conf', conf), file('../x', Buffer.from('owned'))]),
          reason:
            /^archive entry could escape the staging folder: entry "\.\.\/x" has a '\.\.' segment \[UNSAFE_PATH\]$/,
        },
        {
          name: 'absolute path',
          archive: crafted([file('conf/agent.conf', conf), file('/tmp/x', Buffer.from('owned'))]),
          reason: /entry "\/tmp\/x" is an absolute path \[UNSAFE_PATH\]/,
        },
        {
          name: 'symlink',
          archive: crafted([
            file('conf/agent.conf', conf),
            file('conf/security/truststore.jks', Buffer.from('/etc/passwd'), {
              externalAttributes: (0o120777 << 16) >>> 0,
            }),
          ]),
          reason:
            /^archive holds something other than regular files: .*truststore\.jks.* \[NOT_A_REGULAR_FILE\]$/,
        },
        {
          name: 'bomb',
          archive: crafted([
            file('conf/agent.conf', zeroBomb(64), {
              method: 8,
              uncompressedSize: 1024,
              plain: Buffer.alloc(1024),
            }),
          ]),
          reason: /unpacks to more than the 1024 bytes it declares.*\[ENTRY_SIZE_MISMATCH\]/,
        },
        {
          name: 'bad signature',
          archive: (
            await buildTestProfile(otherKey, { revision: 4, conf: conf.toString(), trusted: [trustedDer] })
          ).archive,
          reason: /^archive signature is not by central's profile-signing key: .*\[SIGNATURE_INVALID\]$/,
        },
        {
          name: 'wrong sha256',
          archive: good.archive,
          announce: 'ab'.repeat(32),
          reason: new RegExp(
            `^archive is not the one central announced: archive sha256 is ${good.sha256}, expected ${'ab'.repeat(32)} \\[SHA256_MISMATCH\\]$`,
          ),
        },
        {
          name: 'truncated transfer',
          archive: good.archive,
          serve: 'truncated',
          reason:
            /download of http:\/\/127\.0\.0\.1:\d+\/profiles\/[0-9a-f]{64}\.zip failed: transfer cut after \d+ of \d+ bytes/,
        },
        {
          name: 'truststore password',
          archive: crafted([
            file(
              'conf/agent.conf',
              Buffer.from(confText({ plainPort: central.port, password: 'not-the-one' })),
            ),
            file('conf/security/truststore.jks', jks),
          ]),
          reason:
            /^conf\/security\/truststore\.jks does not load with the password in jetty\.jvm\.args: .*password was incorrect/,
        },
      ];
    const before = snapshot(dir, (p) => p === join('home', 'state', 'status.json'));
    for (const c of cases) {
      const sha = c.announce ?? sha256Of(c.archive);
      central.archives.set(
        sha,
        c.serve === 'truncated'
          ? (response) => {
              response.writeHead(200, { 'content-length': c.archive.length });
              response.write(c.archive.subarray(0, 100), () => response.destroy());
            }
          : c.archive,
      );
      const answers = await sync({ archive: c.archive, sha256: sha, profile: 'default', revision: 4 });
      const failed = answers.find((f) => f.state === 'failed');
      expect({ name: c.name, reason: failed?.reason }).toEqual({
        name: c.name,
        reason: expect.stringMatching(c.reason),
      });
      expect(status().profile.lastError).toMatchObject({
        sha256: sha,
        step: 'synchronize',
        reason: failed?.reason,
      });
      expect(snapshot(dir, (p) => p === join('home', 'state', 'status.json'))).toEqual(before);
    }
    expect(log()).toMatch(
      /WARN {2}profile default r4 \(sha [0-9a-f]{12}\) not synchronized: archive entry could escape/,
    );
    // Still connected the same way, still running the same conf/.
    expect(central.central.sessions).toHaveLength(1);
    expect(status()).toMatchObject({ state: 'connected', profile: { active: null, staged: null } });

    // An activation of something not staged is refused, too.
    const answers = await activate(good);
    expect(answers.map((f) => f.state)).toEqual(['failed']);
    expect(answers[0].reason).toMatch(
      /^profile default r4 \(sha [0-9a-f]{12}\) is not staged: synchronize it first$/,
    );
  });

  it('pins the first profile-signing key and ignores a different one later', async () => {
    let second = false;
    await central.close();
    central = await ProfileCentral.start(key.publicKey, {
      welcome: () => (second ? { profileSigningKey: exportPem(otherKey.publicKey) } : {}),
    });
    await startAgent();
    const pinned = readFileSync(home.profileSigningKeyFile, 'utf8');
    second = true;
    session.socket.close(CloseCode.GOING_AWAY, 'restart');
    const again = await central.session(1);
    await again.frame('hello');
    await until('key warning', () => /is pinned; keeping the pinned key/.test(log()));
    expect(readFileSync(home.profileSigningKeyFile, 'utf8')).toBe(pinned);

    // An archive signed by the newcomer's key is refused.
    const forged = await buildTestProfile(otherKey, { revision: 5, conf: homeConf(), trusted: [trustedDer] });
    central.archives.set(forged.sha256, forged.archive);
    await until('connected again', () => status().state === 'connected');
    const answers = await sync(forged, again);
    expect(answers.at(-1)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/^archive signature is not by central's profile-signing key/),
    });
  });
});

function exportPem(publicKey: import('node:crypto').KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
