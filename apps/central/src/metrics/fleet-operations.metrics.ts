import { Gauge, type Registry } from 'prom-client';
import { PHASES, type Phase } from '../migration/migration-phase.js';

export interface FleetOperationsSources {
  rollouts(): Promise<{ rollouts: Record<string, number>; agents: Record<string, number> }>;
  migration(): Promise<{ phase: Phase; stranded: number }>;
}

const ROLLOUT_STATES = ['running', 'paused', 'awaiting_approval', 'halted', 'completed', 'cancelled'];
/** The migration gate walks every agent: at most once per this, however often Prometheus scrapes. */
const MIGRATION_CACHE_MS = 15_000;

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
  let cached: { at: number; value: Promise<{ phase: Phase; stranded: number }> } | undefined;
  const migration = (): Promise<{ phase: Phase; stranded: number }> => {
    if (!cached || Date.now() - cached.at > MIGRATION_CACHE_MS) {
      cached = { at: Date.now(), value: sources.migration() };
      cached.value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
  new Gauge({
    name: 'switchyard_migration_phase',
    help: 'The plain → secure migration phase: 1 for the current phase, 0 for the others',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      const { phase } = await migration();
      for (const p of PHASES) this.set({ phase: p }, p === phase ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_migration_stranded_agents',
    help: 'Agents the secure_only gate would strand now (not exempted): 0 before secure_only is safe',
    registers: [registry],
    async collect() {
      this.set((await migration()).stranded);
    },
  });
}
