// Groups an agent reports in hello (its own agent.group, ADR 37) beside those an admin sets: stored apart,
// shown apart, matched together by the agent list's group filter and by rollouts to a group.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface AgentGroups {
  id: string;
  groups: string[];
  adminGroups: string[];
  reportedGroups: string[];
}

describe('agent groups: reported in hello and set by an admin (real PostgreSQL, real sockets)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  let token: string;
  const credentials = new Map<string, string>();
  const url = () => `ws://127.0.0.1:${c.ports.plain}/agent`;

  /** One session: hello (with `extra`), welcome, then the socket is closed. */
  async function session(id: string, extra: Record<string, unknown>): Promise<void> {
    const raw = new RawAgent({ url: url(), agentId: id, secret: credentials.get(id) ?? token });
    await raw.opened;
    raw.hello('plain', extra);
    const welcome = await raw.welcome();
    if (typeof welcome.credential === 'string') credentials.set(id, welcome.credential);
    raw.socket.close();
    await raw.closed;
  }
  const agent = (id: string) => c.api.ok<AgentGroups>('GET', `/api/agents/${id}`);
  const ids = (list: AgentGroups[]) => list.map((a) => a.id).sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    token = (
      await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 30 })
    ).token;
  });
  afterAll(async () => {
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('stores reported groups apart from admin groups and shows which came from where', async () => {
    await session('grp-south', { groups: ['south', 'tills'] });
    await c.api.ok('PUT', '/api/agents/grp-south/groups', { groups: ['pilot'] });
    const shown = await agent('grp-south');
    expect(shown).toMatchObject({
      groups: ['pilot', 'south', 'tills'],
      adminGroups: ['pilot'],
      reportedGroups: ['south', 'tills'],
    });
    // The next hello replaces what the agent reported; the admin's groups stay.
    await session('grp-south', { groups: ['south'] });
    expect(await agent('grp-south')).toMatchObject({ adminGroups: ['pilot'], reportedGroups: ['south'] });
    // An agent too old to report groups leaves them as last heard; an empty list clears them.
    await session('grp-south', {});
    expect((await agent('grp-south')).reportedGroups).toEqual(['south']);
    await session('grp-south', { groups: [] });
    expect(await agent('grp-south')).toMatchObject({ groups: ['pilot'], reportedGroups: [] });
  });

  it('refuses a hello whose group is not a group name, naming the field', async () => {
    const raw = new RawAgent({ url: url(), agentId: 'grp-bad', secret: token });
    await raw.opened;
    raw.hello('plain', { groups: ['north east'] });
    const closed = await raw.closed;
    expect(closed).toEqual({
      code: 1007,
      reason: 'hello: groups.0: must be 1-64 characters of A-Z a-z 0-9 . _ -',
    });
  });

  it('filters the agent list by a group from either source', async () => {
    await session('grp-north-1', { groups: ['north'] });
    await session('grp-north-2', {});
    await c.api.ok('PUT', '/api/agents/grp-north-2/groups', { groups: ['north'] });
    await session('grp-east', { groups: ['east'] });
    const north = await c.api.ok<AgentGroups[]>('GET', '/api/agents?group=north');
    expect(ids(north)).toEqual(['grp-north-1', 'grp-north-2']);
    const bad = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
      'GET',
      '/api/agents?group=no%20such',
    );
    expect([bad.status, bad.body.issues[0]?.field]).toEqual([400, 'group']);
  });

  it('targets a rollout to a group an agent reported (the agent.conf group is no longer ignored)', async () => {
    await session('grp-west-1', { groups: ['west'] });
    await session('grp-west-2', {});
    await c.api.ok('PUT', '/api/agents/grp-west-2/groups', { groups: ['west'] });
    await session('grp-other', { groups: ['westerly'] });
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('groups-test', '', 'unused', 'test', 'test')`,
    );
    const archive = randomBytes(64);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    await sql.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ('groups-test', 1, $1, $2, $3, '{}', '', '[]', '0.1.0', '[]', 'test')`,
      [sha256, archive.length, archive],
    );
    const rollout = await c.api.ok<{ id: string; agents: Array<{ agentId: string }> }>(
      'POST',
      '/api/rollouts',
      {
        profile: 'groups-test',
        revision: 1,
        targets: { groups: ['west'] },
        mode: 'publish',
      },
    );
    expect(rollout.agents.map((a) => a.agentId).sort()).toEqual(['grp-west-1', 'grp-west-2']);
    await c.api.ok('POST', `/api/rollouts/${rollout.id}/cancel`);
  });
});
