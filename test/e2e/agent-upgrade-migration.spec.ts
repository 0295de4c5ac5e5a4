// Issue 17 "done when" (ADR 45, docs/migration.md): the migration gate's `needs_upgrade` agent becomes
// wss-capable through an upgrade and the migration reaches secure_only. A real agent of an older
// package (its bundle reports no `wss`), unpacked outside the repository and started by hand from its
// launcher, enrolls over plain; the secure rollout lists it as needs_upgrade and the gate refuses
// secure_only naming it (cannot_wss); "upgrade them" (targets.needsUpgrade) installs version B, which
// announces wss; the secure revision then reaches it, it switches to wss by itself, and secure_only
// is reached with plain answering on 127.0.0.1 only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarGz } from '../../apps/agent/packaging/tar-gz.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { readTarGz } from '../../libs/agent-package/index.js';
import { packageKey, trustPackageKey } from '../support/agent-packages.js';
import {
  buildAgentPackages,
  builtPackageFiles,
  pointAgentConf,
  spawnPackagedAgent,
  stopPackagedAgent,
  targetNode,
} from '../support/packaged-agents.js';
import { seedSettings, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { explainOnTimeout, freePorts, waitFor } from '../support/ports.js';
import { RunningProcess } from '../support/processes.js';
import { tcpAccepts } from '../support/tls-probe.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const A = '0.9.0';
const B = '1.0.0';
const ID = 'old-till';

interface AgentRow {
  status: string;
  transport: string | null;
  agentVersion: string;
  capabilities: string[];
}
interface MigrationStatus {
  phase: string;
  pending: { rolloutId: string } | null;
  history: Array<{ kind: string; details: { rollout?: { id: string } } }>;
}
interface Stranded {
  stranded: Array<{ agentId: string; reasons: Array<{ code: string }> }>;
}
interface Rollout {
  id: string;
  state: string;
  agents: Array<{ agentId: string; state: string; reason: string | null }>;
}

describe('e2e: a needs_upgrade agent becomes wss-capable through an upgrade; the migration reaches secure_only', () => {
  let db: TestDatabase | undefined;
  let c: TestCentral;
  let out: string;
  let home: string;
  let first: RunningProcess | undefined;
  const savedTick = process.env.SWITCHYARD_ROLLOUT_TICK_MS;

  const row = () => c.api.ok<AgentRow>('GET', `/api/agents/${ID}`);
  const status = () => c.api.ok<MigrationStatus>('GET', '/api/migration');
  const advance = (body: Record<string, unknown>) =>
    c.api.call<MigrationStatus & Stranded>('POST', '/api/migration/advance', body);
  const rollout = (id: string) => c.api.ok<Rollout>('GET', `/api/rollouts/${id}`);
  const logs = () => {
    const log = join(home, 'state', 'agent.log');
    return `${first?.output.slice(-2000) ?? ''}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : ''}`;
  };

  beforeAll(async () => {
    process.env.SWITCHYARD_ROLLOUT_TICK_MS = '200';
    db = await createTestDatabase();
    const [http, plain, secure] = await freePorts(3);
    // Plain on every interface, as in production, so "127.0.0.1 only" is observable from 127.0.0.2.
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: plain!, bindAddress: '0.0.0.0' },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: secure!, bindAddress: '127.0.0.1' },
    });
    c = await startTestCentral(db.url, {
      heartbeatMs: 1000,
      ports: { http: http!, plain: plain!, secure: secure! },
    });
    const key = packageKey();
    trustPackageKey(c.dataDir, key);
    out = mkdtempSync(join(tmpdir(), 'sy-upgrade-migration-pkg-'));
    buildAgentPackages(out, key, [A, B]);
    const upload = await c.api.upload<{ version: string }>('/api/agent-packages', builtPackageFiles(out, B));
    expect(upload.status).toBe(200);

    // The older build: A with its capability list cut to what firmware before wss reported.
    const entries = readTarGz(readFileSync(join(out, `switchyard-agent-${A}.tar.gz`)))
      .filter((e) => !e.folder)
      .map((e) => {
        if (!e.path.endsWith('lib/switchyard-agent.mjs')) return e;
        const code = e.data.toString();
        expect(code).toContain('AGENT_CAPABILITIES=["wss","mtls",');
        return { ...e, data: Buffer.from(code.replace('AGENT_CAPABILITIES=["wss","mtls",', 'AGENT_CAPABILITIES=["mtls",')) };
      }); // prettier-ignore
    const tar = join(out, 'without-wss.tar.gz');
    writeFileSync(tar, tarGz(entries, new Date(Date.UTC(2020, 0, 1))));

    // Unpacked outside the repository and started by hand, enrolling over plain.
    const site = realpathSync(mkdtempSync(join(tmpdir(), 'sy-upgrade-migration-site-')));
    execFileSync('tar', ['-xzf', tar, '-C', site]);
    home = join(site, `switchyard-agent-${A}`);
    await pointAgentConf(join(home, 'conf', 'agent.conf'), {
      plainPort: plain!,
      agentId: ID,
      upgradeTimeoutSeconds: 30,
    });
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    first = new RunningProcess(
      ID,
      spawnPackagedAgent(home, token, site, targetNode('agent-upgrade-migration')),
    );
    const before = await explainOnTimeout(
      () =>
        waitFor('the old agent online over plain', async () => {
          const r = await row().catch(() => undefined);
          return r?.status === 'online' ? r : undefined;
        }, 30_000),
      async () => logs(),
    ); // prettier-ignore
    expect(before).toMatchObject({ agentVersion: A, transport: 'plain' });
    expect(before.capabilities).not.toContain('wss');
  }, 120_000);

  afterAll(async () => {
    await stopPackagedAgent(first, home);
    await new Promise((r) => setTimeout(r, 500));
    await c?.stop();
    await db?.drop();
    if (savedTick === undefined) delete process.env.SWITCHYARD_ROLLOUT_TICK_MS;
    else process.env.SWITCHYARD_ROLLOUT_TICK_MS = savedTick;
  });

  it('walks dual → secure_published (needs_upgrade) → upgrade → wss → secure_only', async () => {
    const started = Date.now();
    expect((await advance({ to: 'dual', reason: 'certificate checked, ports free' })).status).toBe(200);
    const published = await advance({ reason: 'publish the secure revision' });
    expect(published.status).toBe(200);
    // Its only agent needs an upgrade and is not counted, so the rollout may complete before the answer:
    // then the phase has moved on and the rollout is named by the transition that started it.
    const startedBy = published.body.history.find((t) => t.kind === 'rollout_started');
    const secureRollout = published.body.pending?.rolloutId ?? startedBy?.details.rollout?.id ?? '';
    expect(secureRollout).not.toBe('');
    await explainOnTimeout(
      () =>
        waitFor('the old agent listed as needs_upgrade', async () => {
          const e = (await rollout(secureRollout)).agents.find((a) => a.agentId === ID);
          return e?.state === 'needs_upgrade' ? e : undefined;
        }, 30_000, 200),
      async () => JSON.stringify(await rollout(secureRollout), null, 1),
    ); // prettier-ignore
    if ((await status()).phase === 'dual') {
      const accepted = await advance({
        reason: 'one agent needs an upgrade; the gate names it',
        accept: true,
      });
      // The rollout can complete on its own between the two calls: the phase has then moved on and this
      // advance is refused as out of order, which is fine; anything else is not.
      if (accepted.status !== 200) expect((await status()).phase).toBe('secure_published');
    }
    expect((await status()).phase).toBe('secure_published');

    // The gate refuses secure_only and names it: on plain, cannot do wss.
    const refused = await advance({ reason: 'cut over' });
    expect(refused.status).toBe(409);
    const stranded = refused.body.stranded.find((s) => s.agentId === ID);
    expect(stranded?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['plain', 'cannot_wss']));

    // "Upgrade them": the agents that need an upgrade, resolved now.
    const upgrade = await c.api.call<Rollout & { targets: unknown }>('POST', '/api/agent-upgrades', {
      version: B,
      targets: { needsUpgrade: true },
    });
    expect(upgrade.status).toBe(201);
    expect(upgrade.body.targets).toEqual({ agentIds: [ID], agentIdCount: 1 });
    await explainOnTimeout(
      () => waitFor('the upgrade completed', async () => (await rollout(upgrade.body.id)).state === 'completed', 60_000, 200),
      async () => `${JSON.stringify(await rollout(upgrade.body.id), null, 1)}\n${logs()}`,
    ); // prettier-ignore

    // B announces wss; the secure revision's entry goes from needs_upgrade to delivered, and the agent
    // switches to the secure listener by itself.
    const secure = await explainOnTimeout(
      () =>
        waitFor('the upgraded agent online over secure', async () => {
          const r = await row();
          return r.status === 'online' && r.transport === 'secure' ? r : undefined;
        }, 60_000, 250),
      async () => `${JSON.stringify(await rollout(secureRollout), null, 1)}\n${JSON.stringify(await row())}\n${logs()}`,
    ); // prettier-ignore
    expect(secure.agentVersion).toBe(B);
    expect(secure.capabilities).toContain('wss');
    // Online over secure from the candidate connection's hello; applied once the agent commits to it.
    await waitFor(
      'the secure revision applied',
      async () => (await rollout(secureRollout)).agents.find((a) => a.agentId === ID)?.state === 'applied',
      30_000,
      200,
    );

    const cut = await advance({ reason: 'cut over: nobody stranded' });
    expect({ status: cut.status, body: cut.body }).toMatchObject({
      status: 200,
      body: { phase: 'secure_only' },
    });
    await waitFor('plain on 127.0.0.1 only', async () => !(await tcpAccepts(c.ports.plain, '127.0.0.2')));
    expect(await tcpAccepts(c.ports.plain, '127.0.0.1')).toBe(true);
    await new Promise((r) => setTimeout(r, 2000)); // two heartbeats
    expect(await row()).toMatchObject({ status: 'online', transport: 'secure', agentVersion: B });
    process.stderr.write(
      `agent-upgrade-migration: needs_upgrade → upgraded → wss → secure_only in ${Date.now() - started} ms\n`,
    );
  }, 180_000);
});
