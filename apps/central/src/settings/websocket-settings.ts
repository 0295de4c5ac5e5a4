import { isIP } from 'node:net';
import { z } from 'zod';

/** WebSocket Server Settings (docs/design.md §3), the record behind the Parameters tab. */
export interface WebSocketSettings {
  plain: { enabled: boolean; port: number; bindAddress: string; localhostFallback: boolean };
  secure: {
    enabled: boolean;
    port: number;
    bindAddress: string;
    clientAuth: 'none' | 'optional' | 'required';
    minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  };
}

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

/** Where the plain listener really binds: the localhost fallback when disabled (docs/design.md §3). */
export function effectivePlainBinding(s: WebSocketSettings): { address: string; port: number } | undefined {
  if (s.plain.enabled) return { address: s.plain.bindAddress, port: s.plain.port };
  return s.plain.localhostFallback ? { address: '127.0.0.1', port: s.plain.port } : undefined;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}
