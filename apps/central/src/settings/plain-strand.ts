import { type PlainSession } from '../agents/agents.repository.js';
import { type NodeRecord } from '../cluster/nodes.repository.js';
import { isLoopback } from './websocket-settings.js';

/** Where the plain listener binds (after the localhost fallback), or undefined when it is closed. */
export type PlainBinding = { address: string; port: number } | undefined;

/** What one node's plain listener really listens on, as its heartbeat published it (ADR 34). */
export interface NodePlainPort {
  port: number;
  /** Set by `SWITCHYARD_AGENT_PLAIN_PORT` on that node: a settings change of the port leaves it there. */
  fromVariable: boolean;
}

/** The plain port of every live node that has a plain listener, by node id. */
export function plainPortsOf(nodes: NodeRecord[]): Map<string, NodePlainPort> {
  const ports = new Map<string, NodePlainPort>();
  for (const node of nodes) {
    const plain = node.listeners.find((l) => l.kind === 'plain');
    if (plain) ports.set(node.id, { port: plain.port, fromVariable: plain.portFrom !== undefined });
  }
  return ports;
}

/** Whether a settings change can cut off any remote plain agent at all (then the agents are read). */
export function plainChangeMayStrand(before: PlainBinding, after: PlainBinding): boolean {
  if (!before || isLoopback(before.address)) return false;
  return !after || isLoopback(after.address) || after.port !== before.port;
}

/**
 * The agents connected over plain that a change of the plain binding from `before` to `after` would cut
 * off (docs/design.md §3). Each agent is judged on the node it is connected to: a node whose plain port
 * comes from its own variable keeps that port whatever the settings say, so moving the settings' port
 * strands nobody there, while closing plain or narrowing it to loopback strands its remote agents as
 * anywhere else. An agent that dialled the address plain keeps listening on (the local agent) stays.
 */
export function agentsStrandedByPlainChange(
  before: PlainBinding,
  after: PlainBinding,
  agents: PlainSession[],
  nodePorts: Map<string, NodePlainPort>,
): PlainSession[] {
  if (!before || !plainChangeMayStrand(before, after)) return [];
  const settingsPortNow = before.port;
  return agents.filter((agent) => {
    if (!after) return true;
    // Only a port from a node's variable is taken from its row: it never changes while the node runs,
    // whereas a row may still show the port of a settings change it has not published yet.
    const own = nodePorts.get(agent.nodeId);
    const fixed = own?.fromVariable ? own.port : undefined;
    const portNow = fixed ?? settingsPortNow;
    const portAfter = fixed ?? after.port;
    if (portAfter !== portNow) return true;
    return !(after.address === '0.0.0.0' || agent.listenerAddress === after.address);
  });
}
