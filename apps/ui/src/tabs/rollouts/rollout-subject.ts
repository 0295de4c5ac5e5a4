import { deliveryWords } from '../../components/rollout-words.js';

/**
 * What a rollout delivers, in the operator's words. Package rollouts (ADR 45) carry `kind` and
 * `packageVersion` and no profile; rollouts read from an older central carry neither (profiles).
 */
export interface RolloutSubjectFields {
  profile: string | null;
  revision: number | null;
  kind?: 'profile' | 'agent_package' | string;
  packageVersion?: string | null;
}

export function isPackageRollout(r: RolloutSubjectFields): boolean {
  return r.kind === 'agent_package';
}

/** "default r3", or "agent package 1.0.0": the words every tab uses (components/rollout-words.ts). */
export const rolloutSubject = (r: RolloutSubjectFields): string => deliveryWords(r);

/** The kind as the detail page names it. */
export function rolloutKindWords(r: RolloutSubjectFields): string {
  return isPackageRollout(r)
    ? `agent upgrade to version ${r.packageVersion ?? '?'} (agent package)`
    : 'profile revision';
}
