import { summarizeCertificate } from '../../../../libs/pki/index.js';
import { type RolloutProgress } from '../migration/secure-rollout.port.js';
import { type RotationGate } from './rotation-gate.js';
import {
  NEXT_PHASE,
  type RotationAnchor,
  type RotationPhase,
  type RotationRollout,
  type RotationStep,
} from './rotation-phase.js';
import { type StoredRotation } from './rotation.repository.js';

/** One step of the stepper: done, under way (current), still to come, skipped, or not reached (aborted). */
export interface RotationStepView {
  id: 'stage' | 'trust' | 'gate' | 'activate' | 'cleanup';
  state: 'done' | 'current' | 'pending' | 'skipped';
  /** The rollouts of this step (trust, cleanup), with per-agent progress when live. */
  rollouts?: Array<RotationRollout & { progress: RolloutProgress | null }>;
}

/** A rotation as the API, certmgr and the UI show it (never the key). */
export interface RotationView {
  id: string;
  phase: RotationPhase;
  /** Where `advance` goes; null when the rotation is over. */
  next: RotationPhase | null;
  certificate: {
    subject: string;
    issuer: string;
    fingerprintSha256: string;
    notAfter: string;
    anchor: RotationAnchor;
  };
  /** The anchor agents trusted before (what the clean-up removes). */
  fromAnchor: RotationAnchor;
  /** The staged key was discarded (aborted). */
  keyDiscarded: boolean;
  steps: RotationStepView[];
  /** Live: known agents that report the new anchor; absent when the rotation is over. */
  gate?: RotationGate;
  history: RotationStep[];
  /**
   * Set when the rotation advances by itself (ADR 32): what drives it, and why it stopped advancing
   * (a halted rollout, a gate that cannot pass) — it warns instead of forcing; abort works as ever.
   */
  automatic: { source: 'acme'; blocked: { since: string; reason: string } | null } | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ViewOptions {
  live: boolean;
  limit?: number;
  rolloutProgress?: (rolloutId: string) => Promise<RolloutProgress | undefined>;
  gate?: () => Promise<RotationGate | undefined>;
}

const ORDER: RotationStepView['id'][] = ['stage', 'trust', 'gate', 'activate', 'cleanup'];

/** How far each phase got: the steps before this index are done. */
const DONE_BEFORE: Record<Exclude<RotationPhase, 'aborted'>, number> = {
  staged: 1,
  trust_published: 2,
  activated: 4,
  completed: 5,
};

export async function rotationView(rotation: StoredRotation, options: ViewOptions): Promise<RotationView> {
  const summary = summarizeCertificate(rotation.chainPem);
  const withProgress = async (rollouts: RotationRollout[]) =>
    Promise.all(
      rollouts.map(async (r) => ({
        ...r,
        progress:
          options.live && options.rolloutProgress
            ? ((await options.rolloutProgress(r.rolloutId)) ?? null)
            : null,
      })),
    );
  const reached = reachedBefore(rotation);
  const cleanupSkipped = rotation.phase === 'completed' && rotation.cleanupRollouts.length === 0;
  const steps: RotationStepView[] = ORDER.map((id, index) => {
    let state: RotationStepView['state'] =
      index < reached ? 'done' : index === reached && rotation.phase !== 'aborted' ? 'current' : 'pending';
    if (id === 'cleanup' && cleanupSkipped) state = 'skipped';
    if (rotation.phase === 'aborted' && index >= reached) state = 'skipped';
    return { id, state };
  });
  steps[1]!.rollouts = await withProgress(rotation.trustRollouts);
  steps[4]!.rollouts = await withProgress(rotation.cleanupRollouts);
  const open = rotation.phase !== 'completed' && rotation.phase !== 'aborted';
  const gate = options.live && open && options.gate ? await options.gate() : undefined;
  return {
    id: rotation.id,
    phase: rotation.phase,
    next: NEXT_PHASE[rotation.phase] ?? null,
    certificate: {
      subject: summary.subject,
      issuer: summary.issuer,
      fingerprintSha256: summary.fingerprintSha256,
      notAfter: rotation.notAfter.toISOString(),
      anchor: rotation.anchor,
    },
    fromAnchor: rotation.fromAnchor,
    keyDiscarded: rotation.keyEncrypted === null,
    steps,
    ...(gate ? { gate: stripAll(gate) } : {}),
    history: rotation.steps,
    automatic: rotation.automatic
      ? { source: rotation.automatic, blocked: open ? rotation.automaticBlocked : null }
      : null,
    createdBy: rotation.createdBy,
    createdAt: rotation.createdAt.toISOString(),
    updatedAt: rotation.updatedAt.toISOString(),
  };
}

/** The index of the first step not done: for an aborted rotation, how far it had got. */
function reachedBefore(rotation: StoredRotation): number {
  if (rotation.phase !== 'aborted') return DONE_BEFORE[rotation.phase];
  const before = [...rotation.steps].reverse().find((s) => s.step === 'abort')?.from;
  return before && before !== 'aborted' ? DONE_BEFORE[before] : 1;
}

function stripAll(gate: RotationGate & { all?: unknown }): RotationGate {
  const { all: _all, ...shown } = gate;
  return shown;
}
