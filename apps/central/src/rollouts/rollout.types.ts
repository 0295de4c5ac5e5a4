import { type RolloutAgentState, type RolloutMode } from './rollout-agent-state.js';
import { type WaveOrder } from './wave-order.js';
import { type ErrorThreshold, type WaveSpec } from './wave-planner.js';

export type RolloutState = 'running' | 'paused' | 'awaiting_approval' | 'halted' | 'completed' | 'cancelled';

export type RolloutTargets = { all: true } | { agentIds: string[] } | { groups: string[] };

/** Agent ids a rollout's `targets` names when it is shown (the rest are in its paged agents). */
export const SHOWN_TARGET_IDS = 100;

/**
 * The targets as a rollout is shown: a list of agent ids is cut to its first SHOWN_TARGET_IDS, with how
 * many there are. (A rollout to 10,000 listed agents would otherwise carry them in every answer and
 * every live update.)
 */
export type ShownTargets =
  { all: true } | { agentIds: string[]; agentIdCount: number } | { groups: string[] };

export interface Rollout {
  id: string;
  profile: string;
  revision: number;
  mode: RolloutMode;
  targets: ShownTargets;
  /** `order` and `seed` are absent from rollouts created before the choice existed (they were ordered). */
  waves: { requested: WaveSpec; sizes: number[]; order?: WaveOrder; seed?: number };
  waveCount: number;
  currentWave: number;
  successThresholdPercent: number;
  pauseBetweenWaves: boolean;
  errorThreshold: ErrorThreshold;
  state: RolloutState;
  stateReason: string | null;
  stepTimeoutSeconds: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  finishedAt: Date | null;
  /** What it delivers: a profile revision (`profile`, `revision`) or an agent package (ADR 45). */
  kind: 'profile' | 'agent_package';
  /** The package version of an `agent_package` rollout; null for a profile rollout. */
  packageVersion: string | null;
}

/** One target agent of a rollout, as operators see it. */
export interface RolloutAgentView {
  agentId: string;
  wave: number;
  state: RolloutAgentState;
  reason: string | null;
  attempts: number;
  /** The agent's connection now: an offline agent waits, it is never shown further than it said. */
  connection: string;
  stateChangedAt: Date;
  sentAt: Date | null;
  synchronizedAt: Date | null;
  appliedAt: Date | null;
}

/** A rollout entry with what is needed to deliver it (the revision) and to choose between entries. */
export interface DeliveryEntry {
  rolloutId: string;
  agentId: string;
  wave: number;
  state: RolloutAgentState;
  attempts: number;
  sentStep: 'sync' | 'activate' | null;
  sentSession: string | null;
  mode: RolloutMode;
  rolloutState: RolloutState;
  rolloutCreatedAt: Date;
  /** How long a step may go without an answer before the entry is `stale` (the rollout's setting). */
  stepTimeoutSeconds: number;
  profile: string;
  revision: number;
  sha256: string;
  sizeBytes: number;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  /** The entry of the newest rollout that reached this agent. */
  newest: boolean;
  /** The entry whose publish set the agent's desired profile. */
  desired: boolean;
}

/** The revision a rollout delivers, as `profile_revisions` stores it. */
export interface RevisionFacts {
  profile: string;
  revision: number;
  sha256: string;
  sizeBytes: number;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
}

/** One rollout's progress as those who follow it read it (the migration's secure rollout, ADR 12). */
export interface RolloutProgress {
  id: string;
  profile: string;
  revision: number;
  mode: string;
  state: string;
  stateReason: string | null;
  /** Targeted agents counted by delivery state. */
  agents: Record<string, number>;
  /** Entries that failed, went stale or need an upgrade, by agent id. */
  failed: Array<{ agentId: string; state: string; reason: string | null }>;
}
