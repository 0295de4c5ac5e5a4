import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Rollout work read every tick and at every hello costs what is still open, not the history (issue 15,
 * ADR 28). `rollout_agents_open` holds the entries whose delivery may still move — not at their goal,
 * not failed, not cancelled — so the stale walk and an agent's scope skip every finished entry of every
 * rollout ever run. `rollouts_unfinished` finds the rollouts whose waves still move, and
 * `rollouts_created_at` the rollouts since one of them (the agent's newest is among those).
 */
export class RolloutOpenWork1765000400000 implements MigrationInterface {
  name = 'RolloutOpenWork1765000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX rollout_agents_open ON rollout_agents (agent_id)
        WHERE state IN ('pending', 'needs_upgrade', 'stale', 'synchronizing', 'applying')
           OR (state = 'synchronized' AND activates)`,
    );
    await q.query(
      `CREATE INDEX rollouts_unfinished ON rollouts (created_at) WHERE state NOT IN ('completed', 'cancelled')`,
    );
    await q.query('CREATE INDEX rollouts_created_at ON rollouts (created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX rollouts_created_at');
    await q.query('DROP INDEX rollouts_unfinished');
    await q.query('DROP INDEX rollout_agents_open');
  }
}
