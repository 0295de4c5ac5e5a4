import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Staged certificate rotations (issue 14 point 3, ADR 30): the staged certificate (its key sealed like
 * the served one's, dropped when the rotation is aborted), the phase it reached, the rollouts that
 * published the trust of both anchors and the clean-up, and every step with who took it and why. At
 * most one rotation is open at a time (the partial unique index), so two operators cannot race.
 */
export class CertificateRotations1765000700000 implements MigrationInterface {
  name = 'CertificateRotations1765000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE certificate_rotations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        phase text NOT NULL CHECK (phase IN ('staged', 'trust_published', 'activated', 'completed', 'aborted')),
        chain_pem text NOT NULL,
        -- sealed under the master key; NULL once the rotation is aborted (the staged key is discarded)
        key_encrypted text,
        fingerprint_sha256 text NOT NULL,
        anchor_sha256 text NOT NULL,
        anchor_subject text NOT NULL,
        not_after timestamptz NOT NULL,
        -- the certificate served when the rotation was staged, and the one activation installed
        from_certificate_id uuid REFERENCES server_certificates (id) ON DELETE SET NULL,
        activated_certificate_id uuid REFERENCES server_certificates (id) ON DELETE SET NULL,
        -- the anchor agents trusted before: what the clean-up revision removes
        from_anchor_sha256 text NOT NULL,
        from_anchor_subject text NOT NULL,
        -- [{ "profile", "revision", "rolloutId" }]
        trust_rollouts jsonb NOT NULL DEFAULT '[]',
        cleanup_rollouts jsonb NOT NULL DEFAULT '[]',
        -- [{ "at", "actor", "step", "from", "to", "reason", "details" }], oldest first
        steps jsonb NOT NULL DEFAULT '[]',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX certificate_rotations_one_open ON certificate_rotations ((true))
        WHERE phase IN ('staged', 'trust_published', 'activated')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE certificate_rotations');
  }
}
