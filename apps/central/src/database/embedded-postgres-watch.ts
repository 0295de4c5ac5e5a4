import { type EmbeddedPostgres } from './embedded-postgres-server.js';

export interface EmbeddedPostgresWatch {
  /** Stops watching, after the start attempt in progress (if any) has ended. */
  stop(): Promise<void>;
}

export interface WatchTiming {
  /** How often the postmaster is looked at (a read of postmaster.pid and /proc: cheap). */
  intervalMs: number;
  /** First wait after a failed start; doubles with each failure up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_TIMING: WatchTiming = { intervalMs: 1_000, firstDelayMs: 1_000, maxDelayMs: 30_000 };

/**
 * Starts the embedded PostgreSQL again when it dies (killed, out of memory): central keeps answering
 * /api/health meanwhile, and /api/ready turns 503 until the server is back. Failed starts are retried with
 * a doubling delay (the backends of a killed server may still be finishing, or the disk may be full), each
 * attempt logged. Only the embedded server is watched, never a DATABASE_URL server: another process (or
 * an operator) runs that one.
 */
export function watchEmbeddedPostgres(
  server: EmbeddedPostgres,
  log: (line: string) => void,
  timing: WatchTiming = DEFAULT_TIMING,
): EmbeddedPostgresWatch {
  let attempt = 0;
  let notBefore = 0;
  let current: Promise<void> | undefined;
  const check = async () => {
    if (Date.now() < notBefore) return;
    try {
      const outcome = await server.ensureRunning(() => {
        attempt += 1;
        log(`the embedded PostgreSQL is not running: starting it again (attempt ${attempt})`);
      });
      if (outcome === 'restarted') log(`embedded PostgreSQL running again after ${attempt} attempt(s)`);
      if (outcome !== 'left to its owner') attempt = 0;
    } catch (error) {
      const delay = Math.min(timing.maxDelayMs, timing.firstDelayMs * 2 ** Math.max(0, attempt - 1));
      notBefore = Date.now() + delay;
      log(
        `starting the embedded PostgreSQL failed (attempt ${attempt}): ${(error as Error).message}; next attempt in ${delay / 1000} s`,
      );
    }
  };
  const timer = setInterval(() => {
    if (current) return;
    current = check().finally(() => (current = undefined));
  }, timing.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
