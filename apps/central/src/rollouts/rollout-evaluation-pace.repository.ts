import { type Queryable } from './rollouts.repository.js';

/** The two parts of a rollout evaluation, each read every open entry of the rollouts under way. */
export type EvaluationPart = 'waves' | 'timeouts';

/**
 * After an evaluation part that took `ms`, the cluster waits this many times as long before the next
 * (ADR 55): evaluating then costs at most about a tenth of one database connection, whatever the fleet.
 */
const SPACING_FACTOR = 10;
/**
 * Never longer than this, so a wave still moves within a second of its last answer and a step timeout
 * (minutes) is noticed within seconds, even when one slow evaluation (a loaded machine) took long.
 */
const LONGEST_GAP_MS: Record<EvaluationPart, number> = { waves: 1000, timeouts: 3000 };

/** How long the cluster waits after a part that took `tookMs` before doing it again. */
export function gapAfter(part: EvaluationPart, tookMs: number): number {
  return Math.min(LONGEST_GAP_MS[part], Math.max(0, Math.round(tookMs * SPACING_FACTOR)));
}

/**
 * The parts among `wanted` whose time has come, and for the others how long until it does (ms). Read in
 * the transaction that holds the rollout lock, so the nodes take turns on one row (table
 * `rollout_evaluation_pace`, one row, written only here).
 */
export async function dueParts(
  tx: Queryable,
  wanted: EvaluationPart[],
): Promise<{ due: Set<EvaluationPart>; waitMs: number }> {
  const [row] = (await tx.query(
    // Epoch seconds, not timestamp differences: an interval out of range (PostgreSQL 15 has no infinite
    // intervals) would stop every evaluation.
    `SELECT GREATEST(0, (EXTRACT(EPOCH FROM waves_next_at) - EXTRACT(EPOCH FROM now)) * 1000)::float8 AS waves,
            GREATEST(0, (EXTRACT(EPOCH FROM timeouts_next_at) - EXTRACT(EPOCH FROM now)) * 1000)::float8 AS timeouts
       FROM rollout_evaluation_pace, clock_timestamp() AS now WHERE id = 1`,
  )) as Array<Record<EvaluationPart, number>>;
  const due = new Set<EvaluationPart>();
  let waitMs = 0;
  for (const part of wanted) {
    const left = row ? row[part] : 0; // no row: evaluate (a database restored without it still works)
    if (left <= 0) due.add(part);
    else waitMs = waitMs === 0 ? left : Math.min(waitMs, left);
  }
  return { due, waitMs: Math.ceil(waitMs) };
}

/** Records that `part` was just done and took `tookMs`: the next waits gapAfter(part, tookMs). */
export async function partDone(tx: Queryable, part: EvaluationPart, tookMs: number): Promise<void> {
  const column = part === 'waves' ? 'waves_next_at' : 'timeouts_next_at';
  await tx.query(
    `INSERT INTO rollout_evaluation_pace (id, ${column}) VALUES (1, clock_timestamp() + make_interval(secs => $1))
     ON CONFLICT (id) DO UPDATE SET ${column} = EXCLUDED.${column}`,
    [gapAfter(part, tookMs) / 1000],
  );
}
