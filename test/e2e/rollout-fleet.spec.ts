// Issue 4's journey with real processes: one central (killed and restarted mid-rollout) and 21 real
// agents on plain. A rollout in three waves switches 15 of them to wss through the candidate
// connection; a second rollout whose truststore does not trust central fails on its first wave, the
// agents revert and stay reachable, and the error threshold halts it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { ApiClient } from '../support/api-client.js';
import { seedSettings } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { type RunningProcess, startCentralProcess, startTestAgent } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const ADMIN_PASSWORD = 'e2e-admin-password';
const GOOD = 15;
const BAD = 6;

interface AgentRow {
  id: string;
  status: string;
  transport: string | null;
  profileSha256: string | null;
}
interface RolloutAgent {
  agentId: string;
  wave: number;
  state: string;
  reason: string | null;
}
interface Rollout {
  id: string;
  state: string;
  stateReason: string | null;
  agents: RolloutAgent[];
}
interface Revision {
  revision: number;
  sha256: string;
}

const agentId = (i: number) => `e2e-agent-${String(i).padStart(2, '0')}`;

function agentConf(id: string, ports: { plain: number; secure: number }): string {
  return [
    '# written by the e2e test: plain, as the fleet starts',
    'central.host=localhost',
    `central.websocket.port=${ports.plain}`,
    'central.websocket.secure=false',
    `central.websocket.secure.port=${ports.secure}`,
    `agent.id=${id}`,
    'jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
    '',
  ].join('\n');
}

/** A CA that has nothing to do with central, for the profile that must fail. */
function foreignCaPem(dir: string): string {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'foreign.key'), '-out', join(dir, 'foreign.pem'), '-days', '30',
    '-subj', '/CN=Foreign test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdio: 'ignore' }); // prettier-ignore
  return readFileSync(join(dir, 'foreign.pem'), 'utf8');
}

describe('e2e: profile rollouts to real agents, in waves, through a central crash', () => {
  let db: TestDatabase;
  let central: RunningProcess;
  let api: ApiClient;
  const agents: RunningProcess[] = [];
  const homes: string[] = [];
  const ports = { http: 0, plain: 0, secure: 0 };
  const dataDir = join(makeTempDir('sy-e2e-rollout-'), 'data');
  const env = () => ({
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_HTTP_PORT: String(ports.http),
    DATABASE_URL: db.url,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHYARD_HEARTBEAT_INTERVAL_MS: '1000',
  });
  const startCentral = async () => {
    central = startCentralProcess(env());
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    api = new ApiClient(`http://127.0.0.1:${ports.http}/`);
    await api.login('admin', ADMIN_PASSWORD);
  };
  const row = (id: string) => api.ok<AgentRow>('GET', `/api/agents/${id}`);
  const rollout = (id: string) => api.ok<Rollout>('GET', `/api/rollouts/${id}`);
  const activeSha = (i: number): string | null => {
    const s = JSON.parse(readFileSync(join(homes[i], 'state', 'status.json'), 'utf8')) as {
      profile?: { active?: { sha256?: string } | null };
      activeProfileSha256?: string | null;
    };
    return s.profile?.active?.sha256 ?? s.activeProfileSha256 ?? null;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.http, ports.plain, ports.secure] = await freePorts(3);
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain, bindAddress: '127.0.0.1' },
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
    await startCentral();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await central?.stop();
    await db?.drop();
  });

  it('rolls a secure profile out in 3 waves and halts a bad one, truthfully', async () => {
    // 21 agents enroll over plain.
    const { token } = await api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    for (let i = 0; i < GOOD + BAD; i++) {
      const home = makeTempDir('sy-e2e-agent-');
      homes.push(home);
      mkdirSync(join(home, 'conf', 'security'), { recursive: true });
      writeFileSync(join(home, 'conf', 'agent.conf'), agentConf(agentId(i), ports));
      agents.push(startTestAgent(home, { token }));
    }
    await waitFor(
      'every agent online over plain',
      async () => {
        const rows = await Promise.all(
          agents.map((_, i) => api.call<AgentRow>('GET', `/api/agents/${agentId(i)}`)),
        );
        return rows.every(
          (r) => r.status === 200 && r.body.status === 'online' && r.body.transport === 'plain',
        );
      },
      60_000,
    );
    for (let i = 0; i < GOOD + BAD; i++) {
      await api.ok('PUT', `/api/agents/${agentId(i)}/groups`, { groups: [i < GOOD ? 'good' : 'bad'] });
    }

    // Two profiles copied from the built-in default: one trusting central, one trusting a foreign CA.
    const secureKeys = {
      'central.host': 'localhost',
      'central.websocket.port': String(ports.plain),
      'central.websocket.secure': 'true',
      'central.websocket.secure.port': String(ports.secure),
    };
    await api.ok('POST', '/api/profiles/default/copy', { name: 'branch-secure' });
    const draftVersion = async (name: string) =>
      (await api.ok<{ draftVersion: number }>('GET', `/api/profiles/${name}`)).draftVersion;
    await api.ok('PUT', '/api/profiles/branch-secure', {
      draftVersion: await draftVersion('branch-secure'),
      set: secureKeys,
    });
    const good = await api.ok<Revision>('POST', '/api/profiles/branch-secure/prepare');
    await api.ok('POST', '/api/profiles/default/copy', { name: 'branch-untrusting' });
    await api.ok('PUT', '/api/profiles/branch-untrusting', {
      draftVersion: await draftVersion('branch-untrusting'),
      set: secureKeys,
      truststore: [{ source: 'uploaded', alias: 'foreign-ca', pem: foreignCaPem(homes[0]) }],
    });
    const bad = await api.ok<Revision>('POST', '/api/profiles/branch-untrusting/prepare');
    expect(bad.sha256).not.toBe(good.sha256);

    // Rollout 1: three waves of five, publish; central is killed after the first wave applied.
    const r1 = await api.ok<{ id: string }>('POST', '/api/rollouts', {
      profile: 'branch-secure',
      revision: good.revision,
      targets: { groups: ['good'] },
      waves: { sizes: [5, 5, 5] },
      successThresholdPercent: 100,
      errorThreshold: { count: 1 },
      mode: 'publish',
    });
    await waitFor(
      'wave 1 applied',
      async () => (await rollout(r1.id)).agents.filter((a) => a.state === 'applied').length >= 5,
      60_000,
    );
    await central.stop('SIGKILL');
    await startCentral();
    let last: Rollout | undefined;
    const done = await waitFor(
      'rollout 1 completed after the restart',
      async () => {
        last = await rollout(r1.id);
        return last.state === 'completed' ? last : undefined;
      },
      120_000,
    ).catch((error: Error) => {
      // Say where it stood: the rollout's state and every agent entry.
      const entries = last?.agents.map((a) => `${a.agentId}:${a.state}${a.reason ? `(${a.reason})` : ''}`);
      throw new Error(
        `${error.message}; rollout ${last?.state} ${last?.stateReason ?? ''}: ${entries?.join(', ')}`,
      );
    });
    expect(done.agents).toHaveLength(GOOD);
    expect(done.agents.map((a) => a.wave).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    // "applied" is true: each agent runs the revision (its own status file) and is on wss.
    for (let i = 0; i < GOOD; i++) {
      expect(done.agents.find((a) => a.agentId === agentId(i))?.state).toBe('applied');
      expect(activeSha(i)).toBe(good.sha256);
      await waitFor(`${agentId(i)} online over secure`, async () => {
        const r = await row(agentId(i));
        return r.status === 'online' && r.transport === 'secure' && r.profileSha256 === good.sha256;
      });
    }

    // Rollout 2: the untrusting profile fails on its first wave; the threshold halts it.
    const r2 = await api.ok<{ id: string }>('POST', '/api/rollouts', {
      profile: 'branch-untrusting',
      revision: bad.revision,
      targets: { groups: ['bad'] },
      waves: { sizes: [2, 2, 2] },
      successThresholdPercent: 100,
      errorThreshold: { count: 2 },
      mode: 'publish',
    });
    const halted = await waitFor(
      'rollout 2 halted',
      async () => {
        const r = await rollout(r2.id);
        return r.state === 'halted' ? r : undefined;
      },
      90_000,
    );
    const failed = halted.agents.filter((a) => a.state === 'failed');
    expect(failed).toHaveLength(2);
    for (const a of failed) expect(a.reason).toMatch(/certificate|trust/i);
    expect(halted.agents.filter((a) => a.wave === 3).every((a) => a.state === 'pending')).toBe(true);
    // The failed agents reverted: still reachable over plain, still without a profile.
    for (let i = GOOD; i < GOOD + BAD; i++) {
      // Reachable: online over plain (a loaded CI machine may briefly drop a session on missed pongs;
      // the agent then reconnects by itself, which is what "stays reachable" means).
      await waitFor(`${agentId(i)} online over plain`, async () => {
        const r = await row(agentId(i));
        return r.status === 'online' && r.transport === 'plain';
      });
      expect(activeSha(i)).toBeNull();
    }
    expect(agents.every((a) => a.child.exitCode === null)).toBe(true);
  }, 400_000);
});
