/** GET /api/certificates/rotations/current (apps/central/src/rotation/rotation-view.ts). */
export type RotationPhase = 'staged' | 'trust_published' | 'activated' | 'completed' | 'aborted';
export type RotationStepId = 'stage' | 'trust' | 'gate' | 'activate' | 'cleanup';

export interface RotationRollout {
  profile: string;
  revision: number;
  rolloutId: string;
  progress: { state: string; agents: Record<string, number> } | null;
}

export interface Rotation {
  id: string;
  phase: RotationPhase;
  next: RotationPhase | null;
  certificate: {
    subject: string;
    issuer: string;
    fingerprintSha256: string;
    notAfter: string;
    anchor: { subject: string; sha256: string };
  };
  fromAnchor: { subject: string; sha256: string };
  keyDiscarded: boolean;
  steps: Array<{
    id: RotationStepId;
    state: 'done' | 'current' | 'pending' | 'skipped';
    rollouts?: RotationRollout[];
  }>;
  gate?: {
    total: number;
    trusting: number;
    strandedCount: number;
    stranded: Array<{ id: string; status: string; reason: string }>;
    ok: boolean;
  };
  /** An automatic rotation (an ACME certificate with a new anchor, ADR 32) and why it stopped, if it did. */
  automatic?: { source: 'acme'; blocked: { since: string; reason: string } | null } | null;
  history: Array<{
    at: string;
    actor: string;
    step: string;
    from: string | null;
    to: string;
    reason: string;
  }>;
}

export const ROTATION_STEP_LABELS: Record<RotationStepId, string> = {
  stage: 'Stage the new certificate',
  trust: 'Trust both anchors (rollout)',
  gate: 'Every agent reports the new anchor',
  activate: 'Serve the new certificate',
  cleanup: 'Clean-up: drop the old anchor',
};

export const OPEN_ROTATION_PHASES: RotationPhase[] = ['staged', 'trust_published', 'activated'];
