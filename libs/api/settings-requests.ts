import { isIP } from 'node:net';
import { z } from 'zod';

// PUT /api/settings/websocket (docs/design.md §3). Server side only: addresses are parsed by Node; the
// answer is in settings.ts.

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
