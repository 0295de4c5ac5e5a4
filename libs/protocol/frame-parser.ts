import { type z } from 'zod';
import { CloseCode } from './close-codes.js';
import { agentFrameSchema, centralFrameSchema, type AgentFrame, type CentralFrame } from './messages.js';

export type FrameParseResult<T> =
  | { ok: true; frame: T }
  | {
      ok: false;
      closeCode: typeof CloseCode.INVALID_PAYLOAD | typeof CloseCode.POLICY_VIOLATION;
      reason: string;
    };

const AGENT_TYPES = new Set(agentFrameSchema.options.map((o) => o.shape.type.value as string));
const CENTRAL_TYPES = new Set(centralFrameSchema.options.map((o) => o.shape.type.value as string));

/** Parses a text frame sent by an agent. Never throws: the result says which close code to use and why. */
export function parseAgentFrame(text: string): FrameParseResult<AgentFrame> {
  return parseFrame(text, agentFrameSchema, AGENT_TYPES);
}

/** Parses a text frame sent by central. Never throws. */
export function parseCentralFrame(text: string): FrameParseResult<CentralFrame> {
  return parseFrame(text, centralFrameSchema, CENTRAL_TYPES);
}

function parseFrame<T>(text: string, schema: z.ZodType<T>, knownTypes: Set<string>): FrameParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, closeCode: CloseCode.INVALID_PAYLOAD, reason: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, closeCode: CloseCode.INVALID_PAYLOAD, reason: 'frame is not a JSON object' };
  }
  const type = (value as Record<string, unknown>).type;
  if (typeof type !== 'string') {
    return { ok: false, closeCode: CloseCode.INVALID_PAYLOAD, reason: 'frame has no string "type"' };
  }
  if (!knownTypes.has(type)) {
    return {
      ok: false,
      closeCode: CloseCode.POLICY_VIOLATION,
      reason: `unknown frame type "${type.slice(0, 64)}"`,
    };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'frame';
    return { ok: false, closeCode: CloseCode.INVALID_PAYLOAD, reason: `${type}: ${where}: ${issue.message}` };
  }
  return { ok: true, frame: parsed.data };
}

/**
 * Serializes a frame, unchecked: central checks every frame it sends against the schema and the agent's
 * limits first (`central-frame.check.ts`, ADR 29); the agent's frames are built from typed values.
 */
export function encodeFrame(frame: AgentFrame | CentralFrame): string {
  return JSON.stringify(frame);
}
