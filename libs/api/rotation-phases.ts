// The phases and steps of a certificate rotation, as lists (no zod here: the admin UI imports these values).

export const ROTATION_PHASES = ['staged', 'trust_published', 'activated', 'completed', 'aborted'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

/** The phases of a rotation still under way: at most one rotation is in one of them. */
export const OPEN_ROTATION_PHASES: readonly RotationPhase[] = ['staged', 'trust_published', 'activated'];

export const ROTATION_STEPS = ['stage', 'trust', 'gate', 'activate', 'cleanup'] as const;
export type RotationStepId = (typeof ROTATION_STEPS)[number];
