import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The secure_only gate names agents whose newest publish rollout entry failed (ADR 52). It probed every
 * agent's rollout history for its newest publish entry: 0.6–1.1 s at 10,000 agents, growing with every
 * rollout run. `rollout_agents_failed` holds only the entries that ended failed, stale or needing an
 * upgrade, so the gate starts from those few and asks, for each, whether a newer publish rollout reached
 * the agent.
 *
 * 1796644800000 is 2026-12-07T12:00:00Z, the start of the range this change was given (20261207120000):
 * TypeORM orders migrations by the last 13 digits of the class name, read as a JavaScript timestamp.
 */
export class RolloutFailedEntries1796644800000 implements MigrationInterface {
  name = 'RolloutFailedEntries1796644800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX rollout_agents_failed ON rollout_agents (agent_id)
        WHERE state IN ('failed', 'stale', 'needs_upgrade')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX rollout_agents_failed');
  }
}
