// Issue 16's groups journey with real processes: agents report agent.group from their own agent.conf,
// a rollout targets a group only an agent reported, and a profile that says "north" keeps the site's
// "south", the agent's id and a key the profile declares local (conf/agent.local.conf, ADR 37).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { ApiClient } from '../support/api-client.js';
import { seedSettings } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { type RunningProcess, startCentralProcess, startTestAgent } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const ADMIN_PASSWORD = 'e2e-admin-password';
const SOUTH = 'branch-04';
const PLAIN = 'branch-05';

interface AgentRow {
  id: string;
  status: string;
  profileSha256: string | null;
  groups: string[];
  adminGroups: string[];
  reportedGroups: string[];
}
interface Rollout {
  id: string;
  state: string;
  agents: Array<{ agentId: string; state: string; reason: string | null }>;
}

describe('e2e: groups from agent.conf, a rollout to a reported group, local settings kept by a profile', () => {
  let db: TestDatabase;
  let central: RunningProcess;
  let api: ApiClient;
  const agents = new Map<string, RunningProcess>();
  const homes = new Map<string, string>();
  const ports = { http: 0, plain: 0 };
  let token = '';

  const row = (id: string) => api.ok<AgentRow>('GET', `/api/agents/${id}`);
  const startAgent = (id: string) =>
    agents.set(
      id,
      startTestAgent(homes.get(id)!, { token, backoffMaxMs: 1000 }),
    ); // prettier-ignore
  const online = (id: string, check: (r: AgentRow) => boolean = () => true) =>
    waitFor(`${id} online`, async () => {
      const r = await api.call<AgentRow>('GET', `/api/agents/${id}`);
      return r.status === 200 && r.body.status === 'online' && check(r.body) ? r.body : undefined;
    }, 30_000); // prettier-ignore
  const conf = (id: string, name: string) => readFileSync(join(homes.get(id)!, 'conf', name), 'utf8');

  beforeAll(async () => {
    db = await createTestDatabase();
    [ports.http, ports.plain] = await freePorts(2);
    await seedSettings(db.url, {
      ...DEFAULT_WEBSOCKET_SETTINGS,
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain, bindAddress: '127.0.0.1' },
    });
    central = startCentralProcess({
      SWITCHYARD_DATA_DIR: join(makeTempDir('sy-e2e-groups-'), 'data'),
      SWITCHYARD_HTTP_PORT: String(ports.http),
      DATABASE_URL: db.url,
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SWITCHYARD_HEARTBEAT_INTERVAL_MS: '1000',
    });
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    api = new ApiClient(`http://127.0.0.1:${ports.http}/`);
    await api.login('admin', ADMIN_PASSWORD);
    token = (await api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 10 }))
      .token; // prettier-ignore
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await central?.stop();
    await db?.drop();
  });

  it('targets agent.group=south, and a profile with north keeps south, the id and a local key', async () => {
    for (const [id, site] of [
      [SOUTH, ['agent.group=south, tills', 'agent.log.level=debug']],
      [PLAIN, []],
    ] as const) {
      const home = makeTempDir('sy-e2e-agent-');
      homes.set(id, home);
      mkdirSync(join(home, 'conf'), { recursive: true });
      writeFileSync(
        join(home, 'conf', 'agent.conf'),
        [
          'central.host=localhost',
          `central.websocket.port=${ports.plain}`,
          `agent.id=${id}`,
          ...site,
          '',
        ].join('\n'),
      );
      startAgent(id);
    }
    expect(await online(SOUTH)).toMatchObject({ reportedGroups: ['south', 'tills'], adminGroups: [] });
    expect((await online(PLAIN)).groups).toEqual([]);
    const listed = await api.ok<AgentRow[]>('GET', '/api/agents?group=south');
    expect(listed.map((a) => a.id)).toEqual([SOUTH]);

    // A profile for the "north" branches, declaring agent.log.level local (each site keeps its own level).
    await api.ok('POST', '/api/profiles/default/copy', { name: 'north' });
    const draft = await api.ok<{ draftVersion: number }>('GET', '/api/profiles/north');
    await api.ok('PUT', '/api/profiles/north', {
      draftVersion: draft.draftVersion,
      set: {
        'central.websocket.port': String(ports.plain),
        'agent.group': 'north',
        'agent.log.level': 'warn',
        'profile.local.keys': 'agent.log.level',
      },
    });
    const revision = await api.ok<{ revision: number; sha256: string }>(
      'POST',
      '/api/profiles/north/prepare',
    );

    // A rollout to the group only the agent reported selects it (issue 16: "selects no enrolled agent").
    const toSouth = await api.ok<Rollout>('POST', '/api/rollouts', {
      profile: 'north',
      revision: revision.revision,
      targets: { groups: ['south'] },
      mode: 'publish',
    });
    expect(toSouth.agents.map((a) => a.agentId)).toEqual([SOUTH]);
    const toPlain = await api.ok<Rollout>('POST', '/api/rollouts', {
      profile: 'north',
      revision: revision.revision,
      targets: { agentIds: [PLAIN] },
      mode: 'publish',
    });
    for (const r of [toSouth, toPlain]) {
      await waitFor(`rollout ${r.id} completed`, async () => {
        const now = await api.ok<Rollout>('GET', `/api/rollouts/${r.id}`);
        if (now.agents.some((a) => a.state === 'failed')) throw new Error(JSON.stringify(now.agents));
        return now.state === 'completed';
      }, 60_000); // prettier-ignore
    }

    // On disk: agent.conf is the profile's (north, warn), agent.local.conf the site's, made on this first apply.
    expect(conf(SOUTH, 'agent.conf')).toContain('agent.group=north');
    expect(conf(SOUTH, 'agent.conf')).toContain(`agent.id=${SOUTH}`);
    const local = conf(SOUTH, 'agent.local.conf');
    expect(local).toContain(`agent.id=${SOUTH}`);
    expect(local).toContain('agent.group=south, tills');
    expect(local).toContain('agent.log.level=debug');
    // The agent without a group of its own takes the profile's.
    expect(conf(PLAIN, 'agent.local.conf')).not.toMatch(/^agent\.group/m);

    // After a restart each reads agent.conf with its agent.local.conf laid over, and says so in hello.
    for (const id of [SOUTH, PLAIN]) {
      await agents.get(id)!.stop();
      await waitFor(`${id} offline`, async () => (await row(id)).status !== 'online', 30_000);
      startAgent(id);
    }
    const south = await online(SOUTH, (r) => r.profileSha256 === revision.sha256);
    expect(south).toMatchObject({ groups: ['south', 'tills'], reportedGroups: ['south', 'tills'] });
    expect(await online(PLAIN, (r) => r.reportedGroups.length > 0)).toMatchObject({
      reportedGroups: ['north'],
    });
  }, 180_000);
});
