import { z } from 'zod';
import { agentSchema } from './agents.js';
import { pushedRolloutSchema } from './rollouts.js';
import { type Wire } from './wire.js';

// /api/live: the admin UI's socket on the admin port. Central sends these; the browser sends nothing.

export const liveMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), username: z.string().nullable() }),
  /** Full rows (as GET /api/agents) of the agents whose visible state changed, and agents that went. */
  z.object({ type: z.literal('agents.changed'), agents: z.array(agentSchema), removed: z.array(z.string()) }),
  /** Rollouts whose progress moved: their summary, with every agent up to 1,000 (`agentsOmitted` above). */
  z.object({ type: z.literal('rollouts.changed'), rollouts: z.array(pushedRolloutSchema) }),
]);

export type LiveMessage = Wire<typeof liveMessageSchema>;
