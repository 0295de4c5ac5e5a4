/** Shapes of /api/rollouts as the UI reads them (docs/rollouts.md). */

export type RolloutState = 'running' | 'paused' | 'awaiting_approval' | 'halted' | 'completed' | 'cancelled';
export type RolloutMode = 'synchronize' | 'publish';
export type RolloutAgentState =
  | 'pending'
  | 'needs_upgrade'
  | 'synchronizing'
  | 'synchronized'
  | 'applying'
  | 'applied'
  | 'failed'
  | 'stale'
  | 'cancelled';

/** A rollout's targets as shown: a list of agent ids is cut to its first 100, with their count. */
export type RolloutTargets =
  { all: true } | { agentIds: string[]; agentIdCount: number } | { groups: string[] };
export type WaveSpec = { sizes: number[] } | { percentages: number[] };
/** How targets are put into waves: by id, or shuffled with a seed stored with the rollout. */
export type WaveOrder = 'ordered' | 'random';
export type ErrorThreshold = { count: number } | { percent: number };

export interface Rollout {
  id: string;
  profile: string;
  revision: number;
  mode: RolloutMode;
  targets: RolloutTargets;
  /** `order` and `seed` are absent from rollouts made before the choice existed (ordered by id). */
  waves: { requested: WaveSpec; sizes: number[]; order?: WaveOrder; seed?: number };
  waveCount: number;
  currentWave: number;
  successThresholdPercent: number;
  pauseBetweenWaves: boolean;
  errorThreshold: ErrorThreshold;
  state: RolloutState;
  stateReason: string | null;
  stepTimeoutSeconds: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface WaveView {
  wave: number;
  size: number;
  states: Partial<Record<RolloutAgentState, number>>;
  eligible: number;
  done: number;
}

export interface RolloutAgentView {
  agentId: string;
  wave: number;
  state: RolloutAgentState;
  reason: string | null;
  attempts: number;
  connection: string;
  stateChangedAt: string;
  sentAt: string | null;
  synchronizedAt: string | null;
  appliedAt: string | null;
}

export interface RolloutSummary extends Rollout {
  states: Partial<Record<RolloutAgentState, number>>;
  waveProgress: WaveView[];
  targetCount: number;
}

/** GET /api/rollouts/:id: the summary and one page of agents (`agentsTotal` match the asked states). */
export interface RolloutDetail extends RolloutSummary {
  agents: RolloutAgentView[];
  agentsTotal: number;
}

/** What the live socket pushes: a summary, with every agent when there are not too many. */
export type PushedRollout = RolloutSummary & {
  agents?: RolloutAgentView[];
  agentsTotal?: number;
  agentsOmitted?: boolean;
};

/** Every agent state, in the order a delivery goes through them (the filter's choices). */
export const ROLLOUT_AGENT_STATES: RolloutAgentState[] = [
  'pending',
  'needs_upgrade',
  'synchronizing',
  'synchronized',
  'applying',
  'applied',
  'failed',
  'stale',
  'cancelled',
];

export type RolloutAction = 'pause' | 'resume' | 'approve' | 'cancel' | 'retry-failed';

/** Which actions each state allows (the API answers 409 otherwise). */
export const ACTIONS_FROM: Record<RolloutState, RolloutAction[]> = {
  running: ['pause', 'cancel', 'retry-failed'],
  awaiting_approval: ['approve', 'pause', 'cancel', 'retry-failed'],
  paused: ['resume', 'cancel', 'retry-failed'],
  halted: ['retry-failed', 'cancel'],
  completed: ['retry-failed'],
  cancelled: [],
};

/** POST /api/rollouts/preview: what a create body would target, wave by wave; nothing is written. */
export interface RolloutPreview {
  profile: string;
  revision: number;
  mode: RolloutMode;
  targetCount: number;
  firstTargets: string[];
  needsUpgrade: number;
  waveOrder: WaveOrder;
  /** Sent back with the create, the rollout gets exactly the previewed waves. */
  waveSeed: number | null;
  waves: Array<{ wave: number; size: number; needsUpgrade: number; firstAgents: string[] }>;
}
