import { type MigrationInterface, type QueryRunner } from 'typeorm';

// When an agent was last seen before a new connection. An agent still "online" in its row was held by a
// node until that node's last heartbeat (ADR 22: last_seen_at is no longer written while a session lasts).
const SEEN_FROM_NODE = `CASE WHEN OLD.connection_status = 'online'
  THEN greatest(OLD.last_seen_at, (SELECT n.heartbeat_at FROM central_nodes n WHERE n.id = OLD.node_id))
  ELSE OLD.last_seen_at END`;
const SEEN_FROM_ROW = 'OLD.last_seen_at';

/** The connection-recording trigger function (1763971700000-Migration), with `seenBefore` for the gap. */
function recordConnectionFunction(seenBefore: string): string {
  return `
    CREATE OR REPLACE FUNCTION switchyard_record_agent_connection() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      at timestamptz := coalesce(NEW.connected_at, now());
      gap double precision := NULL;
      secure boolean := coalesce(NEW.transport LIKE 'secure%', false);
      seen timestamptz := NULL;
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        seen := ${seenBefore};
      END IF;
      IF seen IS NOT NULL THEN
        gap := greatest(0, extract(epoch FROM at - seen));
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
    END $$`;
}

/**
 * Central wrote last_seen_at for every agent it held once per heartbeat interval: 10,000 row versions
 * every 15 s at 10,000 agents (~110 ms of PostgreSQL each time, table and WAL growth), to record what
 * the node's own heartbeat already says. An online agent's last seen is now its node's heartbeat (the
 * agents view); the row is written when a session starts and ends, and when a dead node's agents are
 * swept. The offline gap recorded at a new connection reads the same way.
 */
export class LastSeenFromNode1763972500000 implements MigrationInterface {
  name = 'LastSeenFromNode1763972500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(recordConnectionFunction(SEEN_FROM_NODE));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(recordConnectionFunction(SEEN_FROM_ROW));
  }
}
