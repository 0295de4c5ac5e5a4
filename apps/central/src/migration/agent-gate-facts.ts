/** What the `secure_only` gate knows about one registered agent (one row of MigrationGateQuery.gateFacts). */
export interface AgentGateFacts {
  id: string;
  /** Connection status as operators see it (corrected by node liveness, ADR 5). */
  status: 'online' | 'offline' | 'disconnected' | 'never_connected';
  transport: string | null;
  /** `connector/<name>` when its latest session came through a TLS connector. */
  via: string | null;
  agentVersion: string | null;
  capabilities: string[];
  connectedAt: Date | null;
  lastSeenAt: Date | null;
  /** From the connection history the trigger keeps (null: never connected since it was installed). */
  history: {
    lastTransport: string | null;
    lastConnectedAt: Date;
    lastSecureAt: Date | null;
    lastPlainAt: Date | null;
    longestOfflineGapSeconds: number;
  } | null;
  exemption: { reason: string; expiresAt: Date } | null;
  /** Admin and reported groups together (ADR 37), for the stranded table's filter. */
  groups?: string[];
  enrolledAt?: Date;
  /** The agent's entry in the most recent publish rollout that reached it, when it failed (else null). */
  rollout: { rolloutId: string; state: string; reason: string | null } | null;
}
