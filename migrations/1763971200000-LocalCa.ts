import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Local CA (one per installation, key sealed under the master key) and the client certificates it issued. */
export class LocalCa1763971200000 implements MigrationInterface {
  name = 'LocalCa1763971200000';

  async up(q: QueryRunner): Promise<void> {
    // id is always 1: nodes racing to create the CA converge on the first row (INSERT … ON CONFLICT DO NOTHING).
    await q.query(`
      CREATE TABLE local_ca (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        certificate_pem text NOT NULL,
        key_encrypted text NOT NULL,
        fingerprint_sha256 text NOT NULL,
        not_after timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE agent_certificates (
        serial text PRIMARY KEY,
        agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        fingerprint_sha256 text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX agent_certificates_agent ON agent_certificates (agent_id)`);
    await q.query(
      `CREATE INDEX agent_certificates_revoked ON agent_certificates (revoked_at) WHERE revoked_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_certificates`);
    await q.query(`DROP TABLE local_ca`);
  }
}
