// What every certmgr command does the same way before its own work, so that all of them fail alike:
// the same exit codes and messages for a file that cannot be read or a database that cannot be opened.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, loadCentralConfig, type CentralConfig } from '../config/central-config.js';
import { SecretBox, loadOrCreateMasterKey } from '../crypto/secret-box.js';
import { openDatabase, type Database } from '../database/database.js';
import { loadMigrationConfig } from '../migration/migration.config.js';

export const EXIT = { done: 0, refused: 1, usage: 2, environment: 3 } as const;

export interface CertmgrDatabase {
  config: CentralConfig;
  /** The migration gate's shortest observation window, hours: the certificate guard looks that far back. */
  windowHours: number;
  secrets: SecretBox;
  database: Database;
}

/** The certificate files named on the command line; undefined (the reason printed) when one cannot be read. */
export function readInputFiles(paths: string[]): Array<{ name: string; bytes: Buffer }> | undefined {
  try {
    return paths.map((path) => ({ name: basename(path), bytes: readFileSync(path) }));
  } catch (error) {
    console.error(
      `certmgr: cannot read ${(error as NodeJS.ErrnoException).path ?? 'file'}: ${(error as Error).message}`,
    );
    return undefined;
  }
}

/** Central's database with its configuration and master key, or the exit code (the reason printed). */
export async function openCertmgrDatabase(): Promise<CertmgrDatabase | number> {
  try {
    const config = loadCentralConfig();
    const windowHours = loadMigrationConfig().minWindowHours;
    const secrets = new SecretBox(
      config.masterKey ?? loadOrCreateMasterKey(join(config.dataDir, 'master.key')),
    );
    const database = await openDatabase(config, (line) => console.error(`certmgr: ${line}`));
    return { config, windowHours, secrets, database };
  } catch (error) {
    console.error(`certmgr: ${(error as Error).message}`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.environment;
  }
}
