import type { MigrationPhase as Phase } from '../../../../libs/api/migration-phases.js';

/** Each phase as the screens name it. */
export const PHASE_LABELS: Record<Phase, string> = {
  plain_only: 'Plain only',
  dual: 'Dual (plain and secure)',
  secure_published: 'Secure profile published',
  secure_only: 'Secure only',
};

/**
 * The step into each phase as an operator says it: the button reads "Publish the secure profile…", not
 * "Advance to secure_published…" (issue 16, point 7). The phase ids stay in the API and the CLI's --to.
 */
export const STEP_INTO: Record<Phase, string> = {
  plain_only: 'Go back to plain only',
  dual: 'Open the secure listener',
  secure_published: 'Publish the secure profile',
  secure_only: 'Close the plain listener',
};

/** "Roll back to Dual (plain and secure)". */
export function rollBackTo(phase: Phase): string {
  return `Roll back to ${PHASE_LABELS[phase]}`;
}

/** A phase by its name, for sentences ("now in Secure profile published"). */
export function phaseName(phase: Phase): string {
  return PHASE_LABELS[phase];
}
