import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { AgentHome } from '../agent-home.js';
import { recoverConfSwap } from './conf-swap.js';
import { CRASH_ENV, CRASH_POINTS, type CrashPoint } from './crash-point.js';
import { ProfileLayout } from './profile-layout.js';
import {
  buildTestProfile,
  confText,
  generateProfileSigningKey,
  ProfileCentral,
  serverIdentity,
  until,
  type TestProfile,
} from '../testing/profile-fixtures.js';
import { enrolledProfileHome } from '../testing/profile-home.js';

const key = generateProfileSigningKey();
const work = mkdtempSync(join(tmpdir(), 'agent-crash-'));
const agentBundle = join(work, 'agent.mjs');
let trusted: Buffer;

beforeAll(async () => {
  // The real agent as one file, so each case runs (and kills) a real agent process.
  await build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), '..', 'main.ts')],
    outfile: agentBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  // The agent reads its version from the nearest package.json named switchyard, as it does from dist/.
  const repoPackage = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'package.json');
  const { name, version } = JSON.parse(readFileSync(repoPackage, 'utf8')) as {
    name: string;
    version: string;
  };
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name, version }));
  trusted = (await serverIdentity()).der;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface AgentRun {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  kill: () => void;
}

const running: AgentRun[] = [];
afterEach(async () => {
  for (const run of running.splice(0)) {
    run.kill();
    await run.exit;
  }
});

function runAgent(home: string, env: Record<string, string> = {}): AgentRun {
  const child = spawn(process.execPath, [agentBundle, '--home', home, '--backoff-base-ms', '50'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const run: AgentRun = {
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    output: () => output,
    kill: () => child.kill('SIGKILL'),
  };
  running.push(run);
  return run;
}

/** The folder's files and their contents (a conf/ tree), or undefined when it does not exist. */
function tree(dir: string): Record<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name), `${prefix}${entry.name}/`);
      else out[prefix + entry.name] = readFileSync(join(d, entry.name)).toString('base64');
    }
  };
  walk(dir, '');
  return out;
}

describe('conf/ swap survives SIGKILL at every step', () => {
  let central: ProfileCentral;
  let home: AgentHome;
  let profile: TestProfile;
  let oldTree: Record<string, string>;
  let newTree: Record<string, string>;

  beforeAll(async () => {
    central = await ProfileCentral.start(key.publicKey);
    profile = await buildTestProfile(key, {
      revision: 7,
      conf: confText({ plainPort: central.port, extra: ['agent.group=crash-test'] }),
      trusted: [trusted],
    });
    central.archives.set(profile.sha256, profile.archive);
    newTree = {
      'agent.conf': Buffer.from(
        confText({ plainPort: central.port, extra: ['agent.group=crash-test'] }),
      ).toString('base64'),
    };
  });
  afterAll(() => central.close());

  beforeEach(() => {
    home = enrolledProfileHome(
      mkdtempSync(join(work, 'home-')),
      trusted,
      confText({ plainPort: central.port }),
    );
    oldTree = tree(home.confDir)!;
  });

  it.each(CRASH_POINTS.map((p) => [p]))(
    'killed %s: conf/ is whole (old or new) and recovery completes it',
    async (point: CrashPoint) => {
      const sessionsBefore = central.central.sessions.length;
      const agent = runAgent(home.root, { [CRASH_ENV]: point });
      const session = await central.session(sessionsBefore, 10_000);
      await session.frame('hello', 10_000);
      await until('welcome handled', () => existsSync(home.profileSigningKeyFile), 10_000);
      const ref = { profile: profile.profile, revision: profile.revision, sha256: profile.sha256 };
      session.send({ type: 'profile.sync', deliveryId: 's', ...ref, sizeBytes: profile.archive.length });
      await until('synchronized', () => session.frames.some((f) => f.state === 'synchronized'), 10_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}; agent output:\n${agent.output()}`);
        },
      );
      session.send({ type: 'profile.activate', deliveryId: 'a', ...ref });
      expect(await agent.exit).toEqual({ code: null, signal: 'SIGKILL' });

      // At the instant of the crash, each tree is complete somewhere (conf/, previous/ or staged/conf/).
      const layout = new ProfileLayout(home);
      const places = [home.confDir, layout.previousDir, layout.stagedConfDir].map(tree);
      expect(places.some((t) => sameTree(t, oldTree))).toBe(true);
      expect(places.some((t) => t !== undefined && t['agent.conf'] === newTree['agent.conf'])).toBe(true);
      for (const t of places)
        if (t) expect(sameTree(t, oldTree) || t['agent.conf'] === newTree['agent.conf']).toBe(true);

      // The restarted agent completes the swap (journal written) or keeps the old conf/ (before it).
      const restarted = runAgent(home.root);
      const again = await central.session(sessionsBefore + 1, 10_000);
      const hello = await again.frame('hello', 10_000);
      restarted.kill();
      await restarted.exit;
      const committed = point !== 'before-journal';
      const conf = tree(home.confDir)!;
      if (committed) {
        expect(conf['agent.conf']).toBe(newTree['agent.conf']);
        // agent.local.conf: made on this first apply from the installer's agent.conf (ADR 37).
        expect(Object.keys(conf).sort()).toEqual([
          'agent.conf',
          'agent.local.conf',
          'security/truststore.jks',
          'security/truststore.p12',
        ]);
        expect(tree(layout.previousDir)).toEqual(oldTree);
        expect(hello).toMatchObject({ profileSha256: profile.sha256, stagedProfileSha256: null });
        expect(JSON.parse(readFileSync(home.activeProfileFile, 'utf8'))).toEqual(ref);
        if (point !== 'after-record') {
          expect(restarted.output()).toContain('completed the interrupted switch to profile default r7');
        }
      } else {
        expect(conf).toEqual(oldTree);
        // Issue 15: killed before the swap committed, it restarts with the new profile staged and says it is
        // not a candidate, so central sends the activation again (ADR 28).
        expect(hello).toMatchObject({
          profileSha256: null,
          stagedProfileSha256: profile.sha256,
          candidate: false,
        });
      }
      expect(existsSync(layout.journalFile)).toBe(false);
      expect(readdirSync(layout.root).filter((n) => n.startsWith('staging-'))).toEqual([]);
    },
  );

  it('undoes a journaled swap whose new conf/ is gone, and clears leftovers of an interrupted synchronize', () => {
    const layout = new ProfileLayout(home);
    mkdirSync(layout.root, { recursive: true });
    mkdirSync(join(layout.stagingDir('ab'.repeat(32)), 'conf'), { recursive: true });
    writeFileSync(
      layout.journalFile,
      JSON.stringify({ profile: 'default', revision: 7, sha256: 'cd'.repeat(32) }),
    );
    // As after rename 1, with the staged tree lost (e.g. an operator deleted it).
    renameSync(home.confDir, layout.previousDir);
    expect(recoverConfSwap(layout)).toEqual([
      'undid the interrupted switch to profile default r7 (sha cdcdcdcdcdcd): its conf/ was missing; kept the previous conf/',
      `removed staging-${'ab'.repeat(32)}/, left by an interrupted synchronize`,
    ]);
    expect(tree(home.confDir)).toEqual(oldTree);
    expect(existsSync(layout.journalFile)).toBe(false);
    expect(existsSync(home.activeProfileFile)).toBe(false);
  });
});

function sameTree(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  return (
    a !== undefined && JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())
  );
}
