import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations/index.js';
import { type CentralConfig } from '../config/central-config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres-server.js';
import { EMBEDDED_DATABASE } from './embedded-postgres-socket.js';
import { describeInstallation, serverOf } from './installation-description.js';
import { readInstallationFacts } from './installation.repository.js';
import { watchEmbeddedPostgres, type EmbeddedPostgresWatch } from './embedded-postgres-watch.js';

export interface Database {
  dataSource: DataSource;
  /** The embedded server when no DATABASE_URL was given. */
  embedded: EmbeddedPostgres | undefined;
  url: string;
  close(): Promise<void>;
}

// Arbitrary constant: serialises migrations when several nodes boot at once.
const MIGRATION_LOCK = 7_736_201;

/**
 * Opens the database (embedded or external), then applies pending migrations under an advisory lock.
 * `starting`: the embedded server, already being started by the caller (database-early.ts).
 */
export async function openDatabase(
  config: CentralConfig,
  log: (line: string) => void,
  starting?: Promise<EmbeddedPostgres>,
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let watch: EmbeddedPostgresWatch | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await (starting ?? startEmbeddedPostgres(config.dataDir, log));
    try {
      url = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
    watch = watchEmbeddedPostgres(embedded, log);
  }
  const dataSource = createDataSource(url, config.databasePoolSize);
  const close = async () => {
    await watch?.stop();
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  };
  try {
    await dataSource.initialize();
  } catch (error) {
    await close();
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }
  try {
    if (config.databaseUrl) await logInstallation(dataSource, url, log);
    await migrate(dataSource, log);
  } catch (error) {
    await close();
    throw error;
  }
  return { dataSource, embedded, url, close };
}

/** Says which installation DATABASE_URL leads to, so a wrong database name shows at the first boot. */
async function logInstallation(dataSource: DataSource, url: string, log: (line: string) => void) {
  try {
    log(`DATABASE_URL: ${describeInstallation(await readInstallationFacts(dataSource), url)}`);
  } catch (error) {
    log(`DATABASE_URL: cannot tell which installation ${serverOf(url)} holds: ${(error as Error).message}`);
  }
}

/**
 * A pool wait longer than this fails the statement: work that waited longer was probably given up by the
 * agent that asked for it (admission control keeps the queue short, ADR 26).
 */
const POOL_WAIT_MS = 10_000;

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    synchronize: false,
    installExtensions: false,
    entities: [],
    extra: { max: poolSize, connectionTimeoutMillis: POOL_WAIT_MS },
  });
}

export async function migrate(dataSource: DataSource, log: (line: string) => void): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied migration ${m.name}`);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Creates `name` on the server of `url` if missing and returns the URL pointing at it. */
export async function ensureDatabase(url: string, name: string): Promise<string> {
  const admin = createDataSource(url);
  await admin.initialize();
  try {
    const rows: unknown[] = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.destroy();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Hides the password of a connection URL for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
