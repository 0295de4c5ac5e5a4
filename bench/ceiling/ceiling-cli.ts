/** Command-line pieces of the ceiling comparison: `--targets`, `--workers`, the open-files limit. */
import { execFileSync } from 'node:child_process';
import { fail } from '../cli-common.js';
import { type CeilingTargetName } from './figures.js';
import { DEFAULT_MAX_SOCKETS_PER_PROCESS } from './spread-plan.js';

const TARGETS: CeilingTargetName[] = ['switchyard', 'bare', 'nginx'];

/** `switchyard,bare,nginx` in any order and subset; run in that fixed order. */
export function parseTargets(text: string): CeilingTargetName[] {
  const asked = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of asked) {
    if (!TARGETS.includes(t as CeilingTargetName))
      fail(`--targets: unknown target "${t}" (known: ${TARGETS.join(', ')})`);
  }
  if (asked.length === 0) fail(`--targets needs at least one of ${TARGETS.join(', ')}`);
  return TARGETS.filter((t) => asked.includes(t));
}

/** `auto` or a whole number ≥ 1, passed to central as SWITCHYARD_WORKERS. */
export function parseWorkers(text: string): string {
  if (text === 'auto' || /^[1-9]\d*$/.test(text)) return text;
  return fail(`--workers must be "auto" or a whole number ≥ 1, got "${text}"`);
}

/**
 * Sockets one swarm process may open: the hard open-files limit (`ulimit -Hn`, which Node raises its
 * soft limit to) less 1,000 for everything else, at most the 19,000 the bench was sized for.
 */
export function socketsPerProcess(): number {
  try {
    const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    if (hard === 'unlimited') return DEFAULT_MAX_SOCKETS_PER_PROCESS;
    const n = Number(hard);
    return Number.isInteger(n) && n > 2000 ? Math.min(DEFAULT_MAX_SOCKETS_PER_PROCESS, n - 1000) : 1000;
  } catch {
    return DEFAULT_MAX_SOCKETS_PER_PROCESS;
  }
}
