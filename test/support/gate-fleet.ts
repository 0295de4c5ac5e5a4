import pg from 'pg';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { seedSettings, startTestCentral, type TestCentral } from './in-process-central.js';
import { freePorts } from './ports.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** A central whose secure listener is on, and a SQL client to seed the fleet the secure_only gate judges. */
export interface GateFleet {
  db: TestDatabase;
  central: TestCentral;
  sql: pg.Client;
  stop(): Promise<void>;
}

/** A batch of registered agents that are not connected, written straight into the database. */
export interface OfflineAgents {
  /** Ids are the prefix and the number 1 … count padded to `digits` (`gate-0001`). */
  prefix: string;
  digits: number;
  count: number;
  transport: 'plain' | 'secure';
  /** SQL over `i` (1 … count): how long ago each was last seen; its session began an hour earlier. */
  lastSeenAgo: string;
  /** SQL over `i`: each one's agent version (default 0.5.0). */
  version?: string;
  /** SQL over `i`: each one's groups (default none). */
  groups?: string;
}

/**
 * A fresh database, central with plain and secure listeners on free ports of 127.0.0.1, and a SQL client.
 * Thousands of agents cost a statement this way instead of thousands of enrollments (ADR 40's scale).
 */
export async function startGateFleet(): Promise<GateFleet> {
  const db = await createTestDatabase();
  const [plain, secure] = await freePorts(2);
  await seedSettings(db.url, {
    plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: plain!, bindAddress: '127.0.0.1' },
    secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, enabled: true, port: secure!, bindAddress: '127.0.0.1' },
  });
  const central = await startTestCentral(db.url);
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  return {
    db,
    central,
    sql,
    stop: async () => {
      await sql.end();
      await central.stop();
      await db.drop();
    },
  };
}

/** Registers `batch` (offline, able to use wss) in one statement. */
export async function seedOfflineAgents(sql: pg.Client, batch: OfflineAgents): Promise<void> {
  await sql.query(
    `INSERT INTO agents (id, credential_hash, connection_status, transport, agent_version, capabilities,
                         connected_at, last_seen_at, groups)
     SELECT $1::text || lpad(i::text, $2, '0'), 'hash', 'offline', $3, ${batch.version ?? `'0.5.0'`}, '["wss"]',
            now() - (${batch.lastSeenAgo}) - interval '1 hour', now() - (${batch.lastSeenAgo}),
            ${batch.groups ?? `'{}'::text[]`}
       FROM generate_series(1, $4::int) AS i`,
    [batch.prefix, batch.digits, batch.transport, batch.count],
  );
}

/**
 * Puts the migration straight into `phase`: the journey's earlier steps (dual, the secure profile
 * published) are covered by migration-journey.spec.ts and ui-fleet.spec.ts.
 */
export async function setMigrationPhase(sql: pg.Client, phase: string): Promise<void> {
  await sql.query(`UPDATE migration_state SET phase = $1`, [phase]);
}
