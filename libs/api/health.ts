import { z } from 'zod';

// /api/health (liveness) and /api/ready (readiness: database and node lease, ADR 34). No login needed.

/** `status` is "ok". */
export const healthSchema = z.object({ status: z.string(), nodeId: z.string() });
/** `status` is "ready", `database` "ok"; otherwise the answer is a 503 naming why. */
export const readySchema = z.object({ status: z.string(), database: z.string() });
