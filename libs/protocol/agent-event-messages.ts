import { z } from 'zod';

// Refusals an agent made on its own machine, reported to central for its audit log (issue 17 "bad
// input", ADR 51): a wrong local API password, a file transfer path that escapes the area, an upload
// over the size limit or the quota, a client certificate the local API refused. Both sides parse frames
// strictly, so an agent sends `agent.event` only to a central that said in `welcome` that it accepts it
// (`accepts`), and central says so only to agents whose hello announced AGENT_EVENTS_CAPABILITY: an
// older agent never sees the new welcome field, an older central never receives the new frame.

/** In `hello.capabilities`: this agent can report its refusals with `agent.event`. */
export const AGENT_EVENTS_CAPABILITY = 'agent-events';

/** In `welcome.accepts`: this central records `agent.event` frames. */
export const AGENT_EVENT_FRAME = 'agent.event';

export const agentEventKindSchema = z.enum([
  'local_api.wrong_password',
  'local_api.too_many_attempts',
  'local_api.client_certificate_refused',
  'local_api.path_refused',
  'local_api.file_too_large',
  'local_api.over_quota',
]);
export type AgentEventKind = z.infer<typeof agentEventKindSchema>;

/** The frame may report a burst summarized by the agent: at most this many events in one frame. */
export const MAX_AGENT_EVENT_COUNT = 1_000_000;

const instant = z.iso.datetime({ error: 'must be an ISO 8601 UTC time such as 2026-12-07T10:00:00.000Z' });

/**
 * agent → central: `count` refusals of one kind between `firstAt` and `lastAt` (the agent coalesces a
 * burst into one frame), with the reason of the last one. Never a password or a file's content.
 */
export const agentEventSchema = z
  .strictObject({
    type: z.literal('agent.event'),
    kind: agentEventKindSchema,
    reason: z.string().min(1).max(1024),
    count: z.number().int().min(1).max(MAX_AGENT_EVENT_COUNT),
    firstAt: instant,
    lastAt: instant,
    /** The local client's address (the local API's peer), when there is one. */
    address: z.string().min(1).max(64).optional(),
  })
  .refine((f) => Date.parse(f.firstAt) <= Date.parse(f.lastAt), {
    message: 'must not be before firstAt',
    path: ['lastAt'],
  });

export type AgentEvent = z.infer<typeof agentEventSchema>;
