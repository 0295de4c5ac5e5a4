/** Turns what the swarms measured, and what the rollout API says, into the push figures. */
import { spread, type Spread } from '../connections/stats.js';
import { type DeliveryTiming } from '../connections/swarm-protocol.js';
import { type RolloutView } from './rollout-api.js';

export interface DeliveryFigures {
  synchronized: number;
  failed: number;
  wallMs: number;
  /** POST sent → the first agent's frame received: what central does before its first frame. */
  firstFrameMs: number;
  frameMs: Spread;
  agentMs: Spread;
  sinceStartMs: Spread;
  synchronizingMs: Spread;
  queuedMs: Spread;
  downloadMs: Spread;
  sizeBytes: number;
}

/** `startedAt`: epoch ms (sub-ms) just before POST /api/rollouts was sent. */
export function deliveryFigures(timings: DeliveryTiming[], startedAt: number): DeliveryFigures {
  const ok = timings.filter((t) => t.state === 'synchronized');
  const doneAt = ok.map((t) => t.frameAt + t.doneMs - startedAt);
  return {
    synchronized: ok.length,
    failed: timings.length - ok.length,
    wallMs: doneAt.reduce((m, v) => Math.max(m, v), 0),
    firstFrameMs: timings.reduce((m, t) => Math.min(m, t.frameAt - startedAt), Infinity),
    frameMs: spread(timings.map((t) => t.frameAt - startedAt)),
    agentMs: spread(ok.map((t) => t.doneMs)),
    sinceStartMs: spread(doneAt),
    synchronizingMs: spread(timings.map((t) => t.synchronizingMs)),
    queuedMs: spread(timings.map((t) => t.queuedMs)),
    downloadMs: spread(ok.map((t) => t.downloadMs)),
    sizeBytes: ok[0]?.sizeBytes ?? timings[0]?.sizeBytes ?? 0,
  };
}

export interface ApiComparison {
  states: Record<string, number>;
  agrees: boolean;
  /** A few examples of what differs, for the report. */
  disagreements: string[];
}

/**
 * Does the rollout API say what the agents did? Per agent: synchronized on both sides, failed on both
 * sides, or nothing received and not synchronized in the API; every bench agent listed, no other.
 */
export function compareWithApi(
  rollout: RolloutView,
  agentStates: Map<string, 'synchronized' | 'failed' | 'none'>,
): ApiComparison {
  const states: Record<string, number> = {};
  const disagreements: string[] = [];
  const listed = new Set<string>();
  for (const a of rollout.agents) {
    states[a.state] = (states[a.state] ?? 0) + 1;
    listed.add(a.agentId);
    const ours = agentStates.get(a.agentId);
    const theirs = `${a.state}${a.reason ? ` (${a.reason})` : ''}`;
    if (ours === undefined) disagreements.push(`${a.agentId}: in the rollout, not a bench agent`);
    else if (ours === 'none' ? a.state === 'synchronized' : a.state !== ours)
      disagreements.push(
        `${a.agentId}: ${ours === 'none' ? 'got no profile.sync' : ours}, the API says ${theirs}`,
      );
  }
  for (const id of agentStates.keys()) if (!listed.has(id)) disagreements.push(`${id}: not in the rollout`);
  return {
    states,
    agrees: disagreements.length === 0,
    disagreements: disagreements
      .slice(0, 10)
      .concat(disagreements.length > 10 ? [`… and ${disagreements.length - 10} more`] : []),
  };
}
