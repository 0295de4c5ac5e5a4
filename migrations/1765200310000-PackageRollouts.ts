import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A rollout delivers a profile revision (as before, the default) or an agent package (issue 17 point 5,
 * ADR 45): same waves, thresholds, pause and approval, same per-agent entries.
 */
export class PackageRollouts1765200310000 implements MigrationInterface {
  name = 'PackageRollouts1765200310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE rollouts ADD COLUMN kind text NOT NULL DEFAULT 'profile' CHECK (kind IN ('profile', 'agent_package'))`,
    );
    await q.query(`ALTER TABLE rollouts ADD COLUMN package_version text REFERENCES agent_packages (version)`);
    await q.query(`ALTER TABLE rollouts ALTER COLUMN profile_name DROP NOT NULL`);
    await q.query(`ALTER TABLE rollouts ALTER COLUMN revision DROP NOT NULL`);
    await q.query(`
      ALTER TABLE rollouts ADD CONSTRAINT rollouts_artifact CHECK (
        (kind = 'profile' AND profile_name IS NOT NULL AND revision IS NOT NULL AND package_version IS NULL)
        OR (kind = 'agent_package' AND package_version IS NOT NULL AND profile_name IS NULL AND revision IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM rollouts WHERE kind <> 'profile'`);
    await q.query(`ALTER TABLE rollouts DROP CONSTRAINT rollouts_artifact`);
    await q.query(`ALTER TABLE rollouts ALTER COLUMN revision SET NOT NULL`);
    await q.query(`ALTER TABLE rollouts ALTER COLUMN profile_name SET NOT NULL`);
    await q.query(`ALTER TABLE rollouts DROP COLUMN package_version`);
    await q.query(`ALTER TABLE rollouts DROP COLUMN kind`);
  }
}
