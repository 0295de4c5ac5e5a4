/**
 * The phases of a staged certificate rotation (ADR 30), in order:
 *
 *   staged ─advance─▶ trust_published ─advance (gate)─▶ activated ─advance (clean-up)─▶ completed
 *      └──────────────────────┴───────── abort ───────────────┴──▶ aborted
 *
 * `staged`: the new certificate is stored, not served. `trust_published`: a revision of each profile in
 * use trusting both anchors is being published. `activated`: the new certificate is served; agents
 * still trust the old anchor, so going back (abort: restore the previous certificate) strands nobody.
 * `completed`: done, with or without the clean-up revision that drops the old anchor.
 */
import { OPEN_ROTATION_PHASES, type RotationPhase } from '../../../../libs/api/rotation-phases.js';

// The phases are part of the wire types (libs/api).
export { ROTATION_PHASES, type RotationPhase } from '../../../../libs/api/rotation-phases.js';

/** The phases of a rotation still under way: at most one rotation is in one of them. */
export const OPEN_PHASES = OPEN_ROTATION_PHASES;

/** Where `advance` goes from each open phase. */
export const NEXT_PHASE: Partial<Record<RotationPhase, RotationPhase>> = {
  staged: 'trust_published',
  trust_published: 'activated',
  activated: 'completed',
};

/** The truststore alias of the new anchor in the revision that trusts both. */
export const ROTATION_ALIAS = 'switchyard-rotation';

export interface RotationAnchor {
  sha256: string;
  subject: string;
}

/** A revision a rotation published, and the rollout that carries it. */
export interface RotationRollout {
  profile: string;
  revision: number;
  rolloutId: string;
}

/** One step taken: who, when, why, from where to where. */
export interface RotationStep {
  at: string;
  actor: string;
  step: 'stage' | 'advance' | 'abort';
  from: RotationPhase | null;
  to: RotationPhase;
  reason: string;
  details: Record<string, unknown>;
}
