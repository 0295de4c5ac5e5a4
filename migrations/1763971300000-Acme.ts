import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** ACME: accounts (key sealed under the master key), orders with their progress, pending http-01 answers. */
export class Acme1763971300000 implements MigrationInterface {
  name = 'Acme1763971300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE acme_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        directory_url text NOT NULL,
        contact text NOT NULL,
        key_encrypted text NOT NULL,
        account_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (directory_url, contact)
      )`);
    await q.query(`
      CREATE TABLE acme_orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fqdn text NOT NULL,
        directory_url text NOT NULL,
        directory_ca_pem text,
        contact text NOT NULL,
        renew_days_before integer NOT NULL CHECK (renew_days_before BETWEEN 1 AND 365),
        reason text NOT NULL CHECK (reason IN ('requested', 'renewal')),
        requested_by text NOT NULL,
        status text NOT NULL CHECK (status IN ('processing', 'valid', 'failed')),
        progress text NOT NULL,
        error text,
        error_detail text,
        certificate_fingerprint_sha256 text,
        certificate_not_after timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX acme_orders_created ON acme_orders (created_at DESC)`);
    await q.query(
      `CREATE INDEX acme_orders_certificate ON acme_orders (certificate_fingerprint_sha256) WHERE status = 'valid'`,
    );
    // Any node may receive the CA's validation request, so the answers live in the database.
    await q.query(`
      CREATE TABLE acme_challenges (
        token text PRIMARY KEY,
        key_authorization text NOT NULL,
        order_id uuid NOT NULL REFERENCES acme_orders(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['acme_challenges', 'acme_orders', 'acme_accounts']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
