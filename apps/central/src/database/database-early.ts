import { type CentralConfig } from '../config/central-config.js';
import { type Database } from './database.js';
import { startEmbeddedPostgres } from './embedded-postgres-server.js';

/**
 * Opens the database for a single central while the caller loads Nest and the application (about 2 s
 * of CPU at a cold start): the embedded PostgreSQL starts first, in its own process on another core,
 * before even TypeORM is loaded here, instead of after all of it (issue 15: cold start ≤ 3 s). The
 * cluster primary does the same for its first worker (ADR 33). Import this module before anything heavy.
 */
export async function openDatabaseEarly(
  config: CentralConfig,
  log: (line: string) => void,
): Promise<Database> {
  const starting = config.databaseUrl ? undefined : startEmbeddedPostgres(config.dataDir, log);
  // Awaited by openDatabase below; a failure while TypeORM loads must not count as unhandled.
  starting?.catch(() => undefined);
  const { openDatabase } = await import('./database.js');
  return openDatabase(config, log, starting);
}

/**
 * Log lines of a boot step that runs before the application's logger exists: kept until `attach` gives
 * them one (in order), then passed straight through.
 */
export class EarlyLog {
  private readonly kept: string[] = [];
  private sink: ((line: string) => void) | undefined;

  readonly line = (line: string): void => {
    if (this.sink) this.sink(line);
    else this.kept.push(line);
  };

  attach(sink: (line: string) => void): void {
    this.sink = sink;
    for (const line of this.kept.splice(0)) sink(line);
  }
}
