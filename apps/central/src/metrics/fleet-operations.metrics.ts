import { Gauge, type Registry } from 'prom-client';
import { PHASES, type Phase } from '../migration/migration-phase.js';

export interface FleetOperationsSources {
  rollouts(): Promise<{ rollouts: Record<string, number>; agents: Record<string, number> }>;
  /** The current phase: one row, read at every scrape so that a step shows at once. */
  migrationPhase(): Promise<Phase>;
  /** Agents `secure_only` would strand: kept STRANDED_MAX_AGE_MS (the gate is ~0.5 s at 10,000 agents). */
  strandedAgents(): Promise<number>;
}

const ROLLOUT_STATES = ['running', 'paused', 'awaiting_approval', 'halted', 'completed', 'cancelled'];
/**
 * How old the stranded count may be. Longer than Prometheus' usual 15 s interval on purpose: a cache of
 * exactly 15 s had expired again at nearly every such scrape (15.0x s later), so the gate ran at each one.
 * At 30 s it runs at most every other scrape; its alert waits an hour (docs/monitoring/alerts.yml).
 */
export const STRANDED_MAX_AGE_MS = 30_000;

/** Rollout and migration gauges, read from the owning services at scrape time (fleet-wide). */
export function registerFleetOperationsMetrics(registry: Registry, sources: FleetOperationsSources): void {
  new Gauge({
    name: 'switchyard_rollouts',
    help: 'Rollouts by state (fleet-wide); halted ones wait for an operator',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { rollouts } = await sources.rollouts();
      this.reset();
      for (const state of ROLLOUT_STATES) this.set({ state }, rollouts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'switchyard_rollout_agents',
    help: 'Agents of unfinished rollouts, by delivery state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { agents } = await sources.rollouts();
      this.reset();
      for (const [state, n] of Object.entries(agents)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'switchyard_migration_phase',
    help: 'The plain → secure migration phase: 1 for the current phase, 0 for the others',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      const phase = await sources.migrationPhase();
      for (const p of PHASES) this.set({ phase: p }, p === phase ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_migration_stranded_agents',
    help: 'Agents the secure_only gate would strand now (not exempted; at most 30 s old): 0 before secure_only is safe',
    registers: [registry],
    async collect() {
      this.set(await sources.strandedAgents());
    },
  });
}
