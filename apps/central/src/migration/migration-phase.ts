import { MIGRATION_PHASES, type MigrationPhase } from '../../../../libs/api/migration-phases.js';

/** The phases of the plain → secure migration, in order (docs/design.md §7; the list is libs/api's). */
export const PHASES = MIGRATION_PHASES;

export type Phase = MigrationPhase;

export function nextPhase(phase: Phase): Phase | null {
  return PHASES[PHASES.indexOf(phase) + 1] ?? null;
}

export function previousPhase(phase: Phase): Phase | null {
  const i = PHASES.indexOf(phase);
  return i > 0 ? PHASES[i - 1]! : null;
}

export function isPhase(value: unknown): value is Phase {
  return typeof value === 'string' && (PHASES as readonly string[]).includes(value);
}

/** True when `a` comes before `b`. */
export function isBefore(a: Phase, b: Phase): boolean {
  return PHASES.indexOf(a) < PHASES.indexOf(b);
}
