import { PHASE_LABELS, type Phase } from '../api/migration-types.js';

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
