import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// /api/settings/websocket: the WebSocket Server Settings, versioned (docs/design.md §3). The PUT body is
// checked by central (settings/websocket-settings.ts): addresses are parsed by Node.

export const websocketSettingsSchema = z.object({
  plain: z.object({
    enabled: z.boolean(),
    port: z.number(),
    bindAddress: z.string(),
    localhostFallback: z.boolean(),
  }),
  secure: z.object({
    enabled: z.boolean(),
    port: z.number(),
    bindAddress: z.string(),
    clientAuth: z.enum(['none', 'optional', 'required']),
    minTlsVersion: z.enum(['TLSv1.2', 'TLSv1.3']),
  }),
});

export const settingsVersionSchema = z.object({
  version: z.number(),
  value: websocketSettingsSchema,
  createdAt: timestamp,
  createdBy: z.string(),
});

/** An agent a 409 names: connected over plain, it would be cut off by the change (apply with `force`). */
export const strandedByListenerChangeSchema = z.object({
  id: z.string(),
  nodeId: z.string().nullable(),
  remoteAddress: z.string().nullable(),
  listenerAddress: z.string().nullable().optional(),
});

export type StrandedByListenerChange = Wire<typeof strandedByListenerChangeSchema>;
export type WebSocketSettings = Wire<typeof websocketSettingsSchema>;
export type SettingsVersion = Wire<typeof settingsVersionSchema>;
