import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../protocol/messages.js';

// The local CA (ADR 8): its certificate for truststores, and revoking an agent's certificates.

export const agentIdParamSchema = z.string().regex(AGENT_ID_PATTERN, 'must be an agent id');

/** POST /api/agents/:id/revoke-certificate */
export const certificateRevocationSchema = z.object({
  agentId: z.string(),
  revokedSerials: z.array(z.string()),
});
