import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Agent packages uploaded for upgrades through rollouts (issue 17 point 5, ADR 45): the archive itself
 * (a few hundred KiB; in the database so every node of a cluster serves it), the signed manifest as
 * uploaded, the publisher's signature and the key that made it, and central's own signature of the same
 * manifest with the profile-signing key, which is what agents check.
 */
export class AgentPackages1765200300000 implements MigrationInterface {
  name = 'AgentPackages1765200300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agent_packages (
        version text PRIMARY KEY,
        sha256 text NOT NULL UNIQUE,
        size_bytes integer NOT NULL,
        platform text NOT NULL,
        min_node_major integer NOT NULL,
        manifest text NOT NULL,
        publisher_signature bytea NOT NULL,
        publisher_key_fingerprint text NOT NULL,
        central_signature bytea NOT NULL,
        archive bytea NOT NULL,
        uploaded_by text NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_packages`);
  }
}
