import { z } from 'zod';
import { type ProfileStatus } from './profile-messages.js';

/** The fields an answer needs; checked alone, so a frame invalid elsewhere can still be answered. */
const answerable = z.object({
  type: z.enum(['profile.sync', 'profile.activate']),
  deliveryId: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const MAX_REASON = 1024;

/**
 * The `profile.status failed` an agent answers a profile frame with when the frame breaks the schema
 * (e.g. `sizeBytes` above the agent's limit) but still names its delivery and archive. Refusing the one
 * frame this way fails the rollout entry with the reason; closing the connection instead would only make
 * central send the same frame again after the reconnect. Undefined when the frame cannot be answered
 * (no usable `deliveryId`/`sha256`): then the connection is closed as for any invalid frame.
 *
 * @param text the frame as received
 * @param reason why it was refused (the parser's reason)
 */
export function profileRefusalOf(text: string, reason: string): ProfileStatus | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = answerable.safeParse(value);
  if (!parsed.success) return undefined;
  const words = `the agent refused ${parsed.data.type}: ${reason}`;
  return {
    type: 'profile.status',
    deliveryId: parsed.data.deliveryId,
    sha256: parsed.data.sha256,
    state: 'failed',
    reason: words.length > MAX_REASON ? words.slice(0, MAX_REASON - 1) + '…' : words,
  };
}
