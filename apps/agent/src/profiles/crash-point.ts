/**
 * Tests only: `SWITCHYARD_AGENT_TEST_CRASH_AT=<point>` makes the agent kill itself with SIGKILL when the
 * swap reaches that point, exactly as a power cut or `kill -9` would (no finally blocks, no flushing).
 * Unset in production, where this is a single comparison.
 */
export const CRASH_ENV = 'SWITCHYARD_AGENT_TEST_CRASH_AT';

export type CrashPoint =
  'before-journal' | 'after-journal' | 'after-rename-1' | 'after-rename-2' | 'after-record';

export const CRASH_POINTS: readonly CrashPoint[] = [
  'before-journal',
  'after-journal',
  'after-rename-1',
  'after-rename-2',
  'after-record',
];

export function crashPoint(point: CrashPoint, env: NodeJS.ProcessEnv = process.env): void {
  if (env[CRASH_ENV] === point) process.kill(process.pid, 'SIGKILL');
}
