import { MAX_FRAME_BYTES, centralFrameSchema, type CentralFrame } from './messages.js';

export type CentralFrameCheck = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Checks a frame central is about to send against what an agent accepts: the schema (with its limits,
 * e.g. `sizeBytes` at most MAX_PROFILE_ARCHIVE_BYTES) and MAX_FRAME_BYTES once encoded. A frame an agent
 * would refuse is not sent: the caller gets the reason and records it where an operator sees it.
 * Returns the encoded text, so the frame is serialized once.
 */
export function checkCentralFrame(frame: CentralFrame): CentralFrameCheck {
  const parsed = centralFrameSchema.safeParse(frame);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'frame';
    return { ok: false, reason: `${frame.type} would be refused by the agent: ${where}: ${issue.message}` };
  }
  const text = JSON.stringify(frame);
  // Characters are at most 3 bytes in UTF-8 (4 for a surrogate pair, which is 2 characters): count only
  // when the frame could be near the limit.
  if (text.length * 3 > MAX_FRAME_BYTES && Buffer.byteLength(text, 'utf8') > MAX_FRAME_BYTES) {
    return {
      ok: false,
      reason: `${frame.type} would be ${Buffer.byteLength(text, 'utf8')} bytes, over the agents' ${MAX_FRAME_BYTES}-byte frame limit`,
    };
  }
  return { ok: true, text };
}
