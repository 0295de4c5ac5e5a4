// The rollout form's preview and wave order (issue 16 point 8) against real PostgreSQL: a preview names
// the targets and each wave's size and writes nothing; a random order is seeded, the seed is stored with
// the rollout, and the same seed gives the same waves (before and after a central restart).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Preview {
  targetCount: number;
  firstTargets: string[];
  needsUpgrade: number;
  waveOrder: 'ordered' | 'random';
  waveSeed: number | null;
  waves: Array<{ wave: number; size: number; needsUpgrade: number; firstAgents: string[] }>;
}
interface Rollout {
  id: string;
  waves: { sizes: number[]; order?: string; seed?: number };
  agents: Array<{ agentId: string; wave: number }>;
}

describe('rollout preview and wave order (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let sql: pg.Client;
  const env = { SWITCHYARD_MASTER_KEY: randomBytes(32).toString('hex') };
  const ids = Array.from({ length: 120 }, (_, i) => `wo-${String(i).padStart(3, '0')}`);
  const body = (extra: Record<string, unknown> = {}) => ({
    profile: 'wave-test',
    revision: 1,
    targets: { groups: ['stores'] },
    waves: { sizes: [10, 30] },
    mode: 'synchronize',
    ...extra,
  });
  const preview = (extra: Record<string, unknown> = {}) =>
    c.api.ok<Preview>('POST', '/api/rollouts/preview', body(extra));
  /** Every target of a rollout, by wave. */
  const wavesOf = async (id: string) => {
    const r = await c.api.ok<Rollout>('GET', `/api/rollouts/${id}?limit=1000`);
    return { rollout: r, members: (w: number) => r.agents.filter((a) => a.wave === w).map((a) => a.agentId) };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { env });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
       VALUES ('wave-test', '', 'unused', 'test', 'test')`,
    );
    const archive = randomBytes(64);
    await sql.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ('wave-test', 1, $1, $2, $3, '{}', '', '[]', '1.0.0', '[]', 'test')`,
      [createHash('sha256').update(archive).digest('hex'), archive.length, archive],
    );
    // Agents that never connect: their entries stay pending, the waves stay as planned.
    await sql.query(`INSERT INTO agents (id, groups) SELECT unnest($1::text[]), '{stores}'`, [ids]);
    // Two run an agent older than the revision's minimum: they would wait for an upgrade.
    await sql.query(`UPDATE agents SET agent_version = '0.9.0' WHERE id IN ('wo-000', 'wo-119')`);
  });
  afterAll(async () => {
    await sql?.end();
    await c?.stop();
    await db?.drop();
  });

  it('previews an ordered rollout: targets, wave sizes, first names, upgrades needed; writes nothing', async () => {
    const audit = async () =>
      Number((await sql.query('SELECT count(*) AS n FROM audit_log')).rows[0].n as string);
    const auditBefore = await audit();
    const p = await preview();
    expect(p).toMatchObject({ targetCount: 120, needsUpgrade: 2, waveOrder: 'ordered', waveSeed: null });
    expect(p.firstTargets).toEqual(ids.slice(0, 20));
    expect(p.waves).toEqual([
      { wave: 1, size: 10, needsUpgrade: 1, firstAgents: ids.slice(0, 5) },
      { wave: 2, size: 110, needsUpgrade: 1, firstAgents: ids.slice(10, 15) },
    ]);
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM rollouts');
    expect(rows[0].n).toBe(0);
    expect(await audit()).toBe(auditBefore);
  });

  it('refuses what create refuses, naming the field', async () => {
    const bad = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
      'POST',
      '/api/rollouts/preview',
      body({ waveOrder: 'shuffled', targets: { groups: ['nobody'] } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field)).toEqual(['waveOrder']);
    const seeded = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
      'POST',
      '/api/rollouts/preview',
      body({ waveSeed: 5 }),
    );
    expect(seeded.status).toBe(400);
    expect(seeded.body.issues).toEqual([
      { field: 'waveSeed', message: expect.stringContaining('random wave order') as string },
    ]);
    const empty = await c.api.call<{ issues: Array<{ field: string }> }>(
      'POST',
      '/api/rollouts/preview',
      body({ targets: { groups: ['nobody'] } }),
    );
    expect(empty.status).toBe(400);
    expect(empty.body.issues[0]!.field).toBe('targets');
    expect((await c.api.call('POST', '/api/rollouts/preview', body({ revision: 9 }))).status).toBe(404);
  });

  it('shuffles with a seed: the same seed gives the same waves, and the rollout keeps them', async () => {
    const first = await preview({ waveOrder: 'random', waveSeed: 20261207 });
    expect(await preview({ waveOrder: 'random', waveSeed: 20261207 })).toEqual(first);
    expect(first.waveSeed).toBe(20261207);
    expect(first.waves.map((w) => w.size)).toEqual([10, 110]);
    // Not the alphabetically first ten.
    expect(first.waves[0]!.firstAgents).not.toEqual(ids.slice(0, 5));

    const created = await c.api.ok<Rollout>(
      'POST',
      '/api/rollouts',
      body({ waveOrder: 'random', waveSeed: 20261207 }),
    );
    const { rollout, members } = await wavesOf(created.id);
    expect(rollout.waves).toMatchObject({ sizes: [10, 110], order: 'random', seed: 20261207 });
    expect(members(1)).toHaveLength(10);
    expect(members(1).slice(0, 5)).toEqual(first.waves[0]!.firstAgents);
    expect(members(2).slice(0, 5)).toEqual(first.waves[1]!.firstAgents);
    // The first wave is spread over the fleet, not its alphabetical head.
    expect(members(1).some((id) => id >= 'wo-040')).toBe(true);
    await c.api.ok('POST', `/api/rollouts/${created.id}/cancel`);
  });

  it('picks a seed when none is given, and that seed reproduces the waves', async () => {
    const p = await preview({ waveOrder: 'random' });
    expect(typeof p.waveSeed).toBe('number');
    const again = await preview({ waveOrder: 'random', waveSeed: p.waveSeed });
    expect(again.waves).toEqual(p.waves);
    const other = await preview({ waveOrder: 'random', waveSeed: (p.waveSeed! + 1) % 2 ** 32 });
    expect(other.waves).not.toEqual(p.waves);
  });

  it("keeps a random rollout's waves and seed across a central restart", async () => {
    const created = await c.api.ok<Rollout>(
      'POST',
      '/api/rollouts',
      body({ waveOrder: 'random', waveSeed: 7 }),
    );
    const before = await wavesOf(created.id);
    const ports = c.ports;
    await c.stop();
    c = await startTestCentral(db.url, { env, ports });
    const after = await wavesOf(created.id);
    expect(after.rollout.waves).toMatchObject({ order: 'random', seed: 7 });
    expect(after.members(1)).toEqual(before.members(1));
    // And a preview with the stored seed tells the same first wave again.
    const p = await preview({ waveOrder: 'random', waveSeed: 7 });
    expect(p.waves[0]!.firstAgents).toEqual(after.members(1).slice(0, 5));
  });
});
