import { isIP } from 'node:net';
import { z } from 'zod';
import { type WebSocketSettings } from '../listeners/listener-settings.js';

// The listeners' shape lives with the listeners (settings → listeners, never back); re-exported for callers.
export { effectivePlainBinding, isLoopback, type WebSocketSettings } from '../listeners/listener-settings.js';

export const DEFAULT_WEBSOCKET_SETTINGS: WebSocketSettings = {
  plain: { enabled: true, port: 8787, bindAddress: '0.0.0.0', localhostFallback: true },
  secure: {
    enabled: false,
    port: 9150,
    bindAddress: '0.0.0.0',
    clientAuth: 'none',
    minTlsVersion: 'TLSv1.2',
  },
};

const port = z.number().int('must be a whole number').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');
const bindAddress = z
  .string()
  .refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address (0.0.0.0 for all)');

/** A PUT body: any subset of the fields; the rest keep their current values. */
export const websocketSettingsPatchSchema = z.strictObject({
  plain: z
    .strictObject({
      enabled: z.boolean(),
      port,
      bindAddress,
      localhostFallback: z.boolean(),
    })
    .partial()
    .optional(),
  secure: z
    .strictObject({
      enabled: z.boolean(),
      port,
      bindAddress,
      clientAuth: z.enum(['none', 'optional', 'required']),
      minTlsVersion: z.enum(['TLSv1.2', 'TLSv1.3']),
    })
    .partial()
    .optional(),
  /** Apply even though agents connected over plain would be cut off (docs/design.md §3, §7). */
  force: z.boolean().optional(),
});

export type WebSocketSettingsPatch = z.infer<typeof websocketSettingsPatchSchema>;

export function mergeSettings(current: WebSocketSettings, patch: WebSocketSettingsPatch): WebSocketSettings {
  return {
    plain: { ...current.plain, ...patch.plain },
    secure: { ...current.secure, ...patch.secure },
  };
}
