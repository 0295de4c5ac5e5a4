import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An agent whose connection drops after central enrolled it but before `welcome` (which carries the
 * credential) reaches it has no credential and enrolls again with its token. With a limited token
 * (`maxUses` = the number of devices), each such retry used up a device's share and the last devices
 * were stranded. `enrolled_by_token` and `credential_used_at` let central recognize the retry: same
 * agent, same token, credential never presented since — it is enrolled again without using the token.
 * Agents enrolled before this migration count as having used their credential.
 */
export class EnrollmentRetry1763972400000 implements MigrationInterface {
  name = 'EnrollmentRetry1763972400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE agents
         ADD COLUMN enrolled_by_token uuid REFERENCES enrollment_tokens (id) ON DELETE SET NULL,
         ADD COLUMN credential_used_at timestamptz`,
    );
    await q.query(`UPDATE agents SET credential_used_at = enrolled_at WHERE credential_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE agents DROP COLUMN credential_used_at, DROP COLUMN enrolled_by_token');
  }
}
