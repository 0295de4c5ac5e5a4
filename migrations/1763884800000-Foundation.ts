import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Foundation schema: nodes, admins and sessions, audit, WebSocket settings, certificates, agents. */
export class Foundation1763884800000 implements MigrationInterface {
  name = 'Foundation1763884800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE central_nodes (
        id text PRIMARY KEY,
        name text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        listeners jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`
      CREATE TABLE admin_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE admin_sessions (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
        address text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at)`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        address text,
        action text NOT NULL,
        target text,
        outcome text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_log_at ON audit_log (at DESC)`);
    await q.query(`
      CREATE TABLE websocket_settings (
        version integer PRIMARY KEY,
        value jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE server_certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        active boolean NOT NULL DEFAULT false,
        source text NOT NULL,
        chain_pem text NOT NULL,
        key_encrypted text NOT NULL,
        fingerprint_sha256 text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX server_certificates_one_active ON server_certificates (active) WHERE active`,
    );
    await q.query(`
      CREATE TABLE agents (
        id text PRIMARY KEY,
        credential_hash text,
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        agent_version text,
        capabilities jsonb NOT NULL DEFAULT '[]',
        profile_sha256 text,
        connection_status text NOT NULL DEFAULT 'never_connected'
          CHECK (connection_status IN ('online', 'offline', 'disconnected', 'never_connected')),
        transport text CHECK (transport IN ('plain', 'secure', 'secure+mtls')),
        node_id text,
        session_id uuid,
        remote_address text,
        listener_address text,
        connected_at timestamptz,
        last_seen_at timestamptz
      )`);
    await q.query(`CREATE INDEX agents_node_online ON agents (node_id) WHERE connection_status = 'online'`);
    await q.query(`
      CREATE TABLE enrollment_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        expires_at timestamptz NOT NULL,
        max_uses integer,
        uses integer NOT NULL DEFAULT 0,
        revoked_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'enrollment_tokens',
      'agents',
      'server_certificates',
      'websocket_settings',
      'audit_log',
      'admin_sessions',
      'admin_users',
      'central_nodes',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
