import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTarGz } from '../../libs/agent-package/index.js';
import { tarGz } from '../../apps/agent/packaging/tar-gz.js';
import { packageKey, signPackage, trustPackageKey, type PackageKey } from '../support/agent-packages.js';
import {
  buildAgentPackages,
  builtPackageFiles,
  pointAgentConf,
  spawnPackagedAgent,
  stopPackagedAgent,
  targetNode,
} from '../support/packaged-agents.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { explainOnTimeout, waitFor } from '../support/ports.js';
import { RunningProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 17 point 5 (ADR 45): agent upgrades through rollouts, with real packages, real agents started
 * by hand from their launcher outside the repository, on the target Node. Five agents on A, a rollout
 * of B in two waves → all on B; then a broken version (its bundle exits before hello) → the first
 * wave goes back by itself, says why, and the error threshold halts the rollout before wave two.
 */
const A = '0.9.0';
const B = '1.0.0';
const BROKEN = '1.0.1';
const AGENTS = 5;

interface RolloutView {
  id: string;
  kind: string;
  state: string;
  stateReason: string | null;
  currentWave: number;
  agents: Array<{ agentId: string; wave: number; state: string; reason: string | null }>;
}

describe('agent upgrades through rollouts (real packages, real agents, by hand)', () => {
  let db: TestDatabase | undefined;
  let c: TestCentral;
  let key: PackageKey;
  let out: string;
  let site: string | undefined;
  const agents: Array<{ id: string; home: string; first: RunningProcess }> = [];
  const savedTick = process.env.SWITCHYARD_ROLLOUT_TICK_MS;

  const version = (id: string) =>
    c.api.ok<{ agentVersion: string; status: string; capabilities: string[] }>('GET', `/api/agents/${id}`);
  const rollout = (id: string) => c.api.ok<RolloutView>('GET', `/api/rollouts/${id}`);
  const logs = () =>
    agents
      .map((a) => {
        const log = join(a.home, 'state', 'agent.log');
        return `--- ${a.id}\n${a.first.output.slice(-1500)}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2500) : ''}`;
      })
      .join('\n');

  beforeAll(async () => {
    process.env.SWITCHYARD_ROLLOUT_TICK_MS = '200';
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    key = packageKey();
    trustPackageKey(c.dataDir, key);
    // Two real packages, built once: A and B differ by the version stamped in.
    out = mkdtempSync(join(tmpdir(), 'sy-upgrade-pkg-'));
    buildAgentPackages(out, key, [A, B]);
    // The broken version: B's files, but a bundle that exits before it says hello.
    const root = `switchyard-agent-${BROKEN}`;
    const entries = readTarGz(readFileSync(join(out, `switchyard-agent-${B}.tar.gz`)))
      .filter((e) => !e.folder)
      .map((e) => ({
        path: e.path.replace(`switchyard-agent-${B}/`, `${root}/`),
        mode: e.mode,
        data: e.path.endsWith('lib/switchyard-agent.mjs')
          ? Buffer.from("process.stderr.write('broken build\\n');\nprocess.exit(1);\n")
          : e.data,
      }));
    const broken = signPackage(tarGz(entries, new Date(Date.UTC(2020, 0, 1))), BROKEN, key.privateKey);
    for (const f of broken.files) writeFileSync(join(out, f.name), f.bytes);

    for (const v of [A, B, BROKEN]) {
      const r = await c.api.upload<{ version: string }>('/api/agent-packages', builtPackageFiles(out, v));
      expect({ v, status: r.status, body: r.body }).toMatchObject({ v, status: 200 });
    }

    // Five agents on A, each unpacked into its own folder outside the repository, started by hand.
    for (let i = 1; i <= AGENTS; i++)
      await startAgent(`till-${i}`, join(out, `switchyard-agent-${A}.tar.gz`));
    await explainOnTimeout(
      () =>
        waitFor(
          'five agents online on A',
          async () => {
            for (const a of agents) {
              const v = await version(a.id).catch(() => undefined);
              if (v?.status !== 'online' || v.agentVersion !== A) return false;
            }
            return true;
          },
          30_000,
        ),
      async () => logs(),
    );
  }, 90_000);

  /** Unpacks `tar` into a folder of its own outside the repository and starts it by hand, enrolling. */
  async function startAgent(id: string, tar: string): Promise<void> {
    site ??= realpathSync(mkdtempSync(join(tmpdir(), 'sy-upgrade-site-')));
    const node = targetNode('agent-upgrade');
    const dir = join(site, id);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['-xzf', tar, '-C', dir]);
    const home = join(dir, `switchyard-agent-${A}`);
    await pointAgentConf(join(home, 'conf', 'agent.conf'), {
      plainPort: c.ports.plain,
      agentId: id,
      upgradeTimeoutSeconds: 20,
    });
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const child = spawnPackagedAgent(home, token, dir, node);
    agents.push({ id, home, first: new RunningProcess(id, child) });
  }

  afterAll(async () => {
    for (const a of agents) await stopPackagedAgent(a.first, a.home);
    await new Promise((r) => setTimeout(r, 500));
    await c?.stop();
    await db?.drop();
    if (savedTick === undefined) delete process.env.SWITCHYARD_ROLLOUT_TICK_MS;
    else process.env.SWITCHYARD_ROLLOUT_TICK_MS = savedTick;
  });

  it('upgrades five agents from A to B in two waves; each keeps B once welcomed', async () => {
    const started = Date.now();
    const created = await c.api.call<RolloutView>('POST', '/api/agent-upgrades', {
      version: B,
      targets: { all: true },
      waves: { sizes: [2, 3] },
      stepTimeoutSeconds: 60,
    });
    expect(created.status).toBe(201);
    expect(created.body.kind).toBe('agent_package');
    await explainOnTimeout(
      () =>
        waitFor(
          'the rollout of B completed',
          async () => (await rollout(created.body.id)).state === 'completed',
          60_000,
          200,
        ),
      async () => `${JSON.stringify(await rollout(created.body.id), null, 1)}\n${logs()}`,
    );
    for (const a of agents) {
      expect(await version(a.id)).toMatchObject({ status: 'online', agentVersion: B });
      expect(readFileSync(join(a.home, 'versions', 'current'), 'utf8').trim()).toBe(B);
      expect(existsSync(join(a.home, 'versions', 'trial'))).toBe(false);
      // The running package was never touched; B sits beside it.
      expect(existsSync(join(a.home, 'versions', B, 'lib', 'switchyard-agent.mjs'))).toBe(true);
    }
    const done = await rollout(created.body.id);
    expect(done.agents.map((e) => e.state)).toEqual(Array(AGENTS).fill('applied'));
    process.stderr.write(`agent-upgrade: 5 agents A → B in 2 waves in ${Date.now() - started} ms\n`);
  }, 90_000);

  it('a broken version goes back by itself on the first wave, says why, and halts the rollout', async () => {
    const created = await c.api.call<RolloutView>('POST', '/api/agent-upgrades', {
      version: BROKEN,
      targets: { all: true },
      waves: { sizes: [2, 3] },
      errorThreshold: { count: 1 },
      stepTimeoutSeconds: 60,
    });
    expect(created.status).toBe(201);
    const halted = await explainOnTimeout(
      () =>
        waitFor(
          'the rollout of the broken version halted',
          async () => {
            const r = await rollout(created.body.id);
            return r.state === 'halted' && r.agents.filter((e) => e.state === 'failed').length === 2
              ? r
              : false;
          },
          45_000,
          200,
        ),
      async () => `${JSON.stringify(await rollout(created.body.id), null, 1)}\n${logs()}`,
    );
    const firstWave = halted.agents.filter((e) => e.wave === 1);
    for (const e of firstWave) {
      expect(e.state).toBe('failed');
      expect(e.reason).toContain(`version ${BROKEN} exited with code 1 before central welcomed it`);
      expect(e.reason).toContain(`back on ${B}`);
    }
    // Wave two never got it.
    expect(halted.agents.filter((e) => e.wave === 2).map((e) => e.state)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    for (const a of agents) {
      await waitFor(`${a.id} online on B`, async () => {
        const v = await version(a.id);
        return v.status === 'online' && v.agentVersion === B;
      });
      expect(readFileSync(join(a.home, 'versions', 'current'), 'utf8').trim()).toBe(B);
    }
  }, 90_000);

  it('"upgrade them": an agent that cannot connect securely becomes wss-capable through an upgrade', async () => {
    // An older build without the wss capability: A with its capability list cut (the bundle is data here).
    const root = `switchyard-agent-${A}`;
    const entries = readTarGz(readFileSync(join(out, `${root}.tar.gz`)))
      .filter((e) => !e.folder)
      .map((e) => {
        if (!e.path.endsWith('lib/switchyard-agent.mjs')) return e;
        const code = e.data.toString();
        expect(code).toContain('AGENT_CAPABILITIES=["wss","mtls",');
        return {
          ...e,
          data: Buffer.from(code.replace('AGENT_CAPABILITIES=["wss","mtls",', 'AGENT_CAPABILITIES=["mtls",')),
        };
      });
    const tar = join(out, 'without-wss.tar.gz');
    writeFileSync(tar, tarGz(entries, new Date(Date.UTC(2020, 0, 1))));
    await startAgent('old-till', tar);
    const before = await waitFor('old-till online without wss', async () => {
      const v = await version('old-till').catch(() => undefined);
      return v?.status === 'online' ? v : undefined;
    }, 30_000); // prettier-ignore
    expect(before.capabilities).not.toContain('wss');

    const created = await c.api.call<RolloutView & { targets: unknown }>('POST', '/api/agent-upgrades', {
      version: B,
      targets: { needsUpgrade: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.targets).toEqual({ agentIds: ['old-till'], agentIdCount: 1 });
    await explainOnTimeout(
      () => waitFor('the upgrade of old-till completed', async () => (await rollout(created.body.id)).state === 'completed', 45_000, 200),
      async () => `${JSON.stringify(await rollout(created.body.id), null, 1)}\n${logs()}`,
    ); // prettier-ignore
    const after = await waitFor('old-till back online', async () => {
      const v = await version('old-till');
      return v.status === 'online' && v.agentVersion === B ? v : undefined;
    }); // prettier-ignore
    expect(after.capabilities).toContain('wss');
  }, 90_000);
});
