import { join, resolve } from 'node:path';

/** PostgreSQL's longest Unix socket path (sun_path is 108 bytes with its terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Where the embedded server puts its Unix socket, or undefined to use TCP alone. The socket lives in the
 * cluster directory (only the server's user and root can reach it). Central talks to PostgreSQL through
 * it because a query over loopback TCP costs central and PostgreSQL the whole TCP stack twice: during a
 * rollout push, sending queries took ~10% of central's CPU (ADR 21). The path goes through pg_ctl's shell
 * command line and PostgreSQL's comma-separated list, so only plain path characters are used.
 */
export function socketDirectoryFor(pgDir: string, port: number): string | undefined {
  const dir = resolve(pgDir);
  if (!/^\/[A-Za-z0-9._/-]+$/.test(dir)) return undefined;
  if (Buffer.byteLength(socketPath(dir, port)) > MAX_SOCKET_PATH_BYTES) return undefined;
  return dir;
}

export function socketPath(dir: string, port: number): string {
  return join(dir, `.s.PGSQL.${port}`);
}

/** The database central keeps its installation in, on the embedded server. */
export const EMBEDDED_DATABASE = 'switchyard';

/** The embedded server's URL: through its socket directory when it has one, else 127.0.0.1. */
export function embeddedUrl(
  password: string,
  port: number,
  socketDir: string | undefined,
  database = 'postgres',
): string {
  const host = socketDir ? encodeURIComponent(socketDir) : '127.0.0.1';
  return `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}
