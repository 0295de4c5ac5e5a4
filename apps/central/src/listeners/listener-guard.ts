import { type ListenerGuard } from './agent-listener.js';
import { ConnectionBudget, agentConnectionBudget } from './descriptor-budget.js';
import { HandshakeShedding } from './handshake-shedding.js';
import { type HelloAdmission } from './hello-admission.js';
import { RefusalLog } from './refusal-log.js';

/**
 * What keeps one process manageable under any number of agents (ADR 26), shared by its listeners: the
 * descriptor budget, the refusal log, and shedding before TLS. As many handshakes at once as upgrades in
 * progress: more would only wait for a place behind them.
 */
export function listenerGuard(
  maxAgentConnections: number | undefined,
  admission: HelloAdmission,
): ListenerGuard {
  const budget = new ConnectionBudget(agentConnectionBudget(maxAgentConnections));
  const handshakes = new HandshakeShedding(
    admission.limits.inProgress,
    () => admission.waiting >= admission.limits.waiting || budget.exceeded,
  );
  return { budget, refusals: new RefusalLog(), handshakes };
}
