import { type BoundListener } from '../cluster/nodes.repository.js';
import { type AgentListener, type ListenerKind } from './agent-listener.js';

/** The environment variables that set a listener's port on one node. */
export const PORT_VARIABLE: Record<ListenerKind, string> = {
  plain: 'SWITCHYARD_AGENT_PLAIN_PORT',
  secure: 'SWITCHYARD_AGENT_SECURE_PORT',
};

/**
 * A running listener as the node lists it: where it really bound and, when this node's port variable
 * replaced the settings' port (ADR 34), which one the settings asked for.
 */
export function boundListener(
  l: AgentListener,
  configuredPort: number | undefined,
  overridden: boolean,
): BoundListener {
  const a = l.server.address();
  const address = a && typeof a === 'object' ? a.address : l.address;
  const port = a && typeof a === 'object' ? a.port : l.port;
  const bound: BoundListener = {
    kind: l.kind,
    address,
    port,
    tls: l.kind === 'secure',
    connections: l.connections,
  };
  if (overridden && configuredPort !== undefined) {
    bound.configuredPort = configuredPort;
    bound.portFrom = PORT_VARIABLE[l.kind];
  }
  return bound;
}
