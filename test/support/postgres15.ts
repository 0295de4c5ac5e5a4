import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const PG15_BIN = '/usr/lib/postgresql/15/bin';

export interface ExternalPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Why an external PostgreSQL 15 cannot be started here, or undefined when it can. */
export function postgres15Missing(): string | undefined {
  return existsSync(join(PG15_BIN, 'initdb'))
    ? undefined
    : `PostgreSQL 15 is not installed (${PG15_BIN}; Debian package postgresql-15) and DATABASE_URL is not set`;
}

/**
 * A throwaway external PostgreSQL 15 server in a temp folder, as .ci/run starts one: initdb + pg_ctl,
 * run as the `postgres` user when this process is root (PostgreSQL refuses to run as root).
 */
export async function startPostgres15(): Promise<ExternalPostgres> {
  // Under /tmp, not the test temp root: the postgres user must be able to reach it.
  const dir = mkdtempSync('/tmp/sy-pg15-');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const run = (command: string) =>
    asRoot
      ? execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { cwd: '/', stdio: 'pipe' })
      : execFileSync('/bin/sh', ['-c', command], { cwd: '/', stdio: 'pipe' });
  const port = await freePort();
  run(`${PG15_BIN}/initdb -D ${dir}/data -U postgres --auth=trust >/dev/null`);
  run(
    `${PG15_BIN}/pg_ctl -D ${dir}/data -o '-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}' -l ${dir}/log -w start >/dev/null`,
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        run(`${PG15_BIN}/pg_ctl -D ${dir}/data -m fast -w stop >/dev/null`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
