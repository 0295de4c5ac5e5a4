import { type ListenerGuard } from './agent-listener.js';
import { ConnectionBudget, agentConnectionBudget } from './descriptor-budget.js';
import { HandshakeShedding } from './handshake-shedding.js';
import { type HelloAdmission } from './hello-admission.js';
import { PoolPressure, type PoolLike } from './pool-pressure.js';
import { RefusalLog } from './refusal-log.js';

/**
 * What keeps one process manageable under any number of agents (ADR 26), shared by its listeners: the
 * descriptor budget, the refusal log, shedding before TLS, and the database pool's pressure. As many
 * handshakes at once as upgrades in progress: more would only wait for a place behind them.
 */
export function listenerGuard(
  maxAgentConnections: number | undefined,
  admission: HelloAdmission,
  pool?: PoolLike,
): ListenerGuard {
  const budget = new ConnectionBudget(agentConnectionBudget(maxAgentConnections));
  const handshakes = new HandshakeShedding(
    admission.limits.inProgress,
    () => admission.waiting >= admission.limits.waiting || budget.exceeded,
  );
  // Each upgrade or hello in progress waits for at most one statement at a time: a queue longer than
  // those is work nobody will wait for.
  const pressure = pool && new PoolPressure(pool, admission.limits.inProgress);
  return { budget, refusals: new RefusalLog(), handshakes, ...(pressure ? { pool: pressure } : {}) };
}
