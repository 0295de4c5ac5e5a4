/**
 * WebSocket close codes used on the agent channel, in one table so both ends and the docs agree.
 * 1000-1011 are RFC 6455 codes; 4000-4999 are ours.
 */
export const CloseCode = {
  /** Clean close (goodbye, shutdown). */
  NORMAL: 1000,
  /** Central is shutting down or the listener moves: reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Not JSON, or a known frame type with invalid fields. */
  INVALID_PAYLOAD: 1007,
  /** Unknown frame type, a frame not allowed at this point (e.g. anything before hello), or a frame flood. */
  POLICY_VIOLATION: 1008,
  /** Frame over MAX_FRAME_BYTES. */
  MESSAGE_TOO_BIG: 1009,
  /** The agent was revoked by an administrator: do not reconnect with this credential. */
  AGENT_REVOKED: 4403,
  /** The agent's client certificate was revoked: drop it; the credential still applies. */
  CERTIFICATE_REVOKED: 4401,
  /** Another session of the same agent replaced this one. */
  REPLACED: 4409,
  /** The agent missed heartbeats. */
  HEARTBEAT_TIMEOUT: 4408,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
