import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The staged plain → secure migration (docs/design.md §7, ADR 0012): the phase, its audited transitions,
 * exemptions, and each agent's connection history. The history is written by a trigger on `agents`,
 * so every code path that marks a new session online is recorded without the agents domain knowing.
 */
export class Migration1763971700000 implements MigrationInterface {
  name = 'Migration1763971700000';

  async up(q: QueryRunner): Promise<void> {
    // One row (id 1); pending_* describe a secure_published advance whose rollout is still running.
    await q.query(`
      CREATE TABLE migration_state (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        phase text NOT NULL CHECK (phase IN ('plain_only', 'dual', 'secure_published', 'secure_only')),
        pending_rollout_id uuid,
        pending_profile text,
        pending_revision integer,
        pending_since timestamptz,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by text NOT NULL DEFAULT 'system'
      )`);
    await q.query(`INSERT INTO migration_state (phase) VALUES ('plain_only')`);
    await q.query(`
      CREATE TABLE migration_transitions (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('advance', 'rollback', 'rollout_started', 'rollout_accepted', 'rollout_completed')),
        from_phase text NOT NULL,
        to_phase text NOT NULL,
        reason text NOT NULL,
        forced boolean NOT NULL DEFAULT false,
        acknowledged jsonb NOT NULL DEFAULT '[]',
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`
      CREATE TABLE migration_exemptions (
        agent_id text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
        reason text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
      )`);
    // Append-only: one row per new session that went online.
    await q.query(`
      CREATE TABLE agent_connections (
        id bigserial PRIMARY KEY,
        agent_id text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        session_id uuid NOT NULL,
        transport text,
        node_id text,
        listener_address text,
        connected_at timestamptz NOT NULL,
        -- time since the agent was last seen before this connection (null on its first one)
        offline_gap_seconds double precision
      )`);
    await q.query(`CREATE INDEX agent_connections_agent ON agent_connections (agent_id, connected_at DESC)`);
    await q.query(`
      CREATE TABLE agent_connection_stats (
        agent_id text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
        first_connected_at timestamptz NOT NULL,
        last_connected_at timestamptz NOT NULL,
        last_transport text,
        last_secure_at timestamptz,
        last_plain_at timestamptz,
        longest_offline_gap_seconds double precision NOT NULL DEFAULT 0,
        connections integer NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE FUNCTION switchyard_record_agent_connection() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        at timestamptz := coalesce(NEW.connected_at, now());
        gap double precision := NULL;
        secure boolean := coalesce(NEW.transport LIKE 'secure%', false);
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.last_seen_at IS NOT NULL THEN
          gap := greatest(0, extract(epoch FROM at - OLD.last_seen_at));
        END IF;
        INSERT INTO agent_connections
          (agent_id, session_id, transport, node_id, listener_address, connected_at, offline_gap_seconds)
          VALUES (NEW.id, NEW.session_id, NEW.transport, NEW.node_id, NEW.listener_address, at, gap);
        INSERT INTO agent_connection_stats AS s
          (agent_id, first_connected_at, last_connected_at, last_transport, last_secure_at, last_plain_at,
           longest_offline_gap_seconds, connections)
          VALUES (NEW.id, at, at, NEW.transport, CASE WHEN secure THEN at END, CASE WHEN NOT secure THEN at END,
                  coalesce(gap, 0), 1)
          ON CONFLICT (agent_id) DO UPDATE SET
            last_connected_at = EXCLUDED.last_connected_at,
            last_transport = EXCLUDED.last_transport,
            last_secure_at = coalesce(EXCLUDED.last_secure_at, s.last_secure_at),
            last_plain_at = coalesce(EXCLUDED.last_plain_at, s.last_plain_at),
            longest_offline_gap_seconds = greatest(s.longest_offline_gap_seconds, EXCLUDED.longest_offline_gap_seconds),
            connections = s.connections + 1;
        RETURN NULL;
      END $$`);
    // A new session id that is online is a new connection; heartbeats and goodbyes change other columns.
    await q.query(`
      CREATE TRIGGER agents_record_connection AFTER UPDATE ON agents FOR EACH ROW
        WHEN (NEW.connection_status = 'online' AND NEW.session_id IS NOT NULL
              AND NEW.session_id IS DISTINCT FROM OLD.session_id)
        EXECUTE FUNCTION switchyard_record_agent_connection()`);
    await q.query(`
      CREATE TRIGGER agents_record_connection_insert AFTER INSERT ON agents FOR EACH ROW
        WHEN (NEW.connection_status = 'online' AND NEW.session_id IS NOT NULL)
        EXECUTE FUNCTION switchyard_record_agent_connection()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER agents_record_connection_insert ON agents');
    await q.query('DROP TRIGGER agents_record_connection ON agents');
    await q.query('DROP FUNCTION switchyard_record_agent_connection()');
    await q.query('DROP TABLE agent_connection_stats');
    await q.query('DROP TABLE agent_connections');
    await q.query('DROP TABLE migration_exemptions');
    await q.query('DROP TABLE migration_transitions');
    await q.query('DROP TABLE migration_state');
  }
}
