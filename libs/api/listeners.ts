import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// GET /api/listeners: what every live node has really bound, and what it could not bind.

const kind = z.enum(['plain', 'secure']);

export const boundListenerSchema = z.object({
  kind,
  address: z.string(),
  port: z.number(),
  tls: z.boolean(),
  connections: z.number(),
  /** Set when this node binds another port than the settings say (a per-node override, ADR 34). */
  configuredPort: z.number().optional(),
  /** The environment variable that overrides the port on this node. */
  portFrom: z.string().optional(),
});

/** A listener the settings ask for that the node could not bind, and why. */
export const failedListenerSchema = z.object({
  kind,
  address: z.string(),
  port: z.number(),
  reason: z.string(),
  since: z.string(),
});

export const nodeListenersSchema = z.object({
  nodeId: z.string(),
  nodeName: z.string(),
  heartbeatAt: timestamp,
  listeners: z.array(boundListenerSchema),
  failed: z.array(failedListenerSchema),
});
export const nodeListenersListSchema = z.array(nodeListenersSchema);

export type BoundListener = Wire<typeof boundListenerSchema>;
export type FailedListener = Wire<typeof failedListenerSchema>;
export type NodeListeners = Wire<typeof nodeListenersSchema>;
