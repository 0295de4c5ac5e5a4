/** How the targets are split into waves, as requested. */
export type WaveSpec = { sizes: number[] } | { percentages: number[] };

/** Halt once this many targets failed, or this share of them. */
export type ErrorThreshold = { count: number } | { percent: number };

/**
 * Wave sizes for `targets` agents: sizes are taken as given and the last wave takes whatever is left;
 * percentages (summing to 100) are cut at cumulative boundaries rounded up, so a 1 % first wave of a
 * small fleet still holds one agent. Empty waves are dropped.
 */
export function planWaves(targets: number, spec: WaveSpec): number[] {
  const sizes: number[] = [];
  let placed = 0;
  if ('sizes' in spec) {
    spec.sizes.forEach((size, i) => {
      const n = i === spec.sizes.length - 1 ? targets - placed : Math.min(size, targets - placed);
      sizes.push(n);
      placed += n;
    });
  } else {
    let cumulative = 0;
    spec.percentages.forEach((p, i) => {
      cumulative += p;
      const end =
        i === spec.percentages.length - 1
          ? targets
          : Math.min(targets, Math.ceil((cumulative * targets) / 100));
      sizes.push(end - placed);
      placed = end;
    });
  }
  return sizes.filter((n) => n > 0);
}

export interface RolloutProgress {
  currentWave: number;
  waveCount: number;
  successThresholdPercent: number;
  pauseBetweenWaves: boolean;
  errorThreshold: ErrorThreshold;
  /** Targets that can take part: all but needs_upgrade and cancelled. */
  eligible: number;
  failed: number;
  /** The current wave's eligible targets, and those of them at the rollout's goal. */
  waveEligible: number;
  waveDone: number;
}

export type WaveDecision =
  | { kind: 'halt'; reason: string }
  | { kind: 'next_wave' }
  | { kind: 'await_approval' }
  | { kind: 'complete' }
  | { kind: 'wait' };

/** What a running rollout does next. The error threshold is checked first: a halted rollout sends nothing. */
export function decide(p: RolloutProgress): WaveDecision {
  const t = p.errorThreshold;
  const halts =
    p.failed > 0 && ('count' in t ? p.failed >= t.count : p.failed * 100 >= t.percent * p.eligible);
  if (halts) {
    const limit = 'count' in t ? `${t.count} agent(s)` : `${t.percent} % of ${p.eligible} agents`;
    return { kind: 'halt', reason: `${p.failed} of ${p.eligible} agents failed (error threshold: ${limit})` };
  }
  // A wave whose agents all need an upgrade has nothing to wait for.
  const met = p.waveDone * 100 >= p.successThresholdPercent * p.waveEligible;
  if (!met) return { kind: 'wait' };
  if (p.currentWave >= p.waveCount) return { kind: 'complete' };
  return p.pauseBetweenWaves ? { kind: 'await_approval' } : { kind: 'next_wave' };
}
