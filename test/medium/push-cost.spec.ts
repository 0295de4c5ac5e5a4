import { jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { AGENT_ID_HEADER, PROFILE_DOWNLOAD_PATH } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * What a push costs central's database per agent, guarded where it was cut (ADR 16, ADR 19, ADR 52):
 * answers written in batches, due work read ahead, archives served from memory and downloads checked
 * against the agent's session. Every statement central sends from the POST until every agent said
 * `synchronized` is counted (TypeORM's query runner, through which all of central's SQL goes), by kind:
 * a cost per agent that comes back (a statement per frame sent, per download, per answer) fails this
 * at any speed of the machine. Counts, never time. (How many answers share a batch depends on how fast
 * they arrive: the total per agent is printed, 0.8–1.1 here on 2026-12-07, not asserted.) The agents
 * take 600 ms to download, as agents queueing for a busy central do: their `synchronizing` notes are
 * overtaken by `synchronized` within the hold (a quarter of the step timeout) and never written.
 */
const AGENTS = 300;
/** Between `synchronizing` and the download: longer than the 250 ms hold that let every such note through. */
const DOWNLOAD_DELAY_MS = 600;

describe('push cost: statements per agent synchronized (real PostgreSQL, real sockets)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 15_000 });
  });
  afterAll(async () => {
    for (const agent of agents) agent.socket.terminate();
    await c?.stop();
    await db?.drop();
  });

  it(`synchronizes ${AGENTS} agents that download the archive with no statement per frame, download or answer`, async () => {
    const ids = Array.from({ length: AGENTS }, (_, i) => `push-cost-${String(i).padStart(4, '0')}`);
    const secrets = ids.map(() => `sya_${randomBytes(24).toString('base64url')}`);
    const archive = randomBytes(48 * 1024);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      await sql.query(
        `INSERT INTO agents (id, credential_hash, credential_used_at)
         SELECT id, hash, now() FROM unnest($1::text[], $2::text[]) AS s(id, hash)`,
        [ids, secrets.map((s) => createHash('sha256').update(s).digest('hex'))],
      );
      await sql.query(
        `INSERT INTO profiles (name, draft_agent_conf, truststore_password_encrypted, created_by, updated_by)
         VALUES ('push-cost', '', 'unused', 'test', 'test')`,
      );
      await sql.query(
        `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
           truststore, minimum_agent_version, required_capabilities, created_by)
         VALUES ('push-cost', 1, $1, $2, $3, '{}', '', '[]', '0.1.0', '[]', 'test')`,
        [sha256, archive.length, archive],
      );
    } finally {
      await sql.end();
    }

    const base = `127.0.0.1:${c.ports.plain}`;
    const synchronized = new Set<string>();
    const problems: string[] = [];
    // Every agent answers once all have their frame, as a fleet does at scale: the answers then come in
    // bursts that central writes in batches, whatever the speed of the machine (a trickle of answers, one
    // agent at a time, would make the count a measure of timing).
    const frames: Array<() => void> = [];
    for (const [i, agentId] of ids.entries()) {
      const agent = await RawAgent.connect({ url: `ws://${base}/agent`, agentId, secret: secrets[i] });
      agents.push(agent);
      // As an agent does: synchronizing, the download with its own credential, the bytes checked, synchronized.
      agent.socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Record<string, unknown>;
        if (frame.type !== 'profile.sync') return;
        const status = (state: string) =>
          agent.send({ type: 'profile.status', deliveryId: frame.deliveryId, sha256: frame.sha256, state });
        frames.push(() => {
          status('synchronizing');
          void new Promise((resolve) => setTimeout(resolve, DOWNLOAD_DELAY_MS))
            .then(() =>
              fetch(`http://${base}${PROFILE_DOWNLOAD_PATH}${String(frame.sha256)}.zip`, {
                headers: { authorization: `Bearer ${secrets[i]}`, [AGENT_ID_HEADER]: agentId },
              }),
            )
            .then(async (res) => {
              const bytes = Buffer.from(await res.arrayBuffer());
              if (res.status !== 200 || !bytes.equals(archive))
                throw new Error(`download answered ${res.status} with ${bytes.length} bytes`);
              status('synchronized');
              synchronized.add(agentId);
            })
            .catch((error: Error) => problems.push(`${agentId}: ${error.message}`));
        });
        if (frames.length === AGENTS) for (const answer of frames) answer();
      });
    }

    // Central's archive cache is warm after the first download: the count is what a push costs.
    const statements = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    let counted: string[] = [];
    let writtenStates: string[] = [];
    try {
      const { id } = await c.api.ok<{ id: string }>('POST', '/api/rollouts', {
        profile: 'push-cost',
        revision: 1,
        mode: 'synchronize',
        targets: { agentIds: ids },
      });
      await waitFor(
        'every agent synchronized',
        () => Promise.resolve(synchronized.size === AGENTS || problems.length > 0 || undefined),
        60_000,
        50,
      );
      // The last answers are batched for a few milliseconds, then written.
      await new Promise((resolve) => setTimeout(resolve, 500));
      counted = statements.mock.calls.map((call) => String(call[0]).replace(/\s+/g, ' '));
      // The states the answers' batches wrote ($5 of the state change), one per entry changed.
      writtenStates = statements.mock.calls
        .filter((call) =>
          /UPDATE rollout_agents ra SET state = u\.state/.test(String(call[0]).replace(/\s+/g, ' ')),
        )
        .flatMap((call) => (call[1] as unknown[][])[4] as string[]);
      statements.mockRestore();
      const rollout = await c.api.ok<{ states: Record<string, number> }>('GET', `/api/rollouts/${id}`);
      expect(rollout.states).toEqual({ synchronized: AGENTS });
    } finally {
      statements.mockRestore();
    }
    expect(problems).toEqual([]);
    const perAgent = counted.length / AGENTS;
    // Printed for the record (the bound is loose on purpose): what a push costs the database per agent.
    console.log(`push to ${AGENTS} agents: ${counted.length} statements (${perAgent.toFixed(2)} per agent)`);
    const count = (pattern: RegExp) => counted.filter((q) => pattern.test(q)).length;
    // Nothing per frame sent or per download: the frames' marks and the due work are read and written
    // per pass, the archive is read once and served from memory, downloads are checked against the session.
    expect({
      sentMarks: count(/UPDATE rollout_agents ra SET sent_step/),
      dueWorkReads: count(/SELECT DISTINCT a\.id, a\.session_id/),
      archiveReads: count(/SELECT archive FROM profile_revisions/),
      credentialReads: count(/credential_hash/),
    }).toEqual({
      sentMarks: expect.any(Number),
      dueWorkReads: expect.any(Number),
      archiveReads: 1,
      credentialReads: 0,
    });
    expect(count(/UPDATE rollout_agents ra SET sent_step/)).toBeLessThanOrEqual(5);
    expect(count(/SELECT DISTINCT a\.id, a\.session_id/)).toBeLessThanOrEqual(5);
    // Each batch of answers and each pass's marks join their keys to the entries by key (ANSWER_PLAN_SETTINGS):
    // with the new entries' statistics missing, a hash join read the whole rollout per batch.
    expect(count(/set_config\('enable_hashjoin', 'off', true\)/)).toBeGreaterThanOrEqual(
      count(/UPDATE rollout_agents ra SET (state = u\.state|sent_step)/),
    );
    // Only the final answers are written: every progress note was overtaken while it was held.
    expect(writtenStates.filter((state) => state === 'synchronizing')).toEqual([]);
    expect(writtenStates.filter((state) => state === 'synchronized')).toHaveLength(AGENTS);
    // Up to 600 answers (synchronizing, synchronized): written several to a transaction, never one each.
    const answerWrites = count(/UPDATE rollout_agents ra SET state = u\.state/);
    expect(answerWrites).toBeGreaterThan(0);
    expect(answerWrites).toBeLessThanOrEqual(AGENTS / 2);
  });
});
