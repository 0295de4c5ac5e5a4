/** Shapes of the public /api as the UI reads them (the UI never imports central's code). */

import { type PushedRollout } from './rollout-types.js';

export type Permission =
  | 'settings.write'
  | 'certificates.write'
  | 'profiles.write'
  | 'rollouts.write'
  | 'migration.write'
  | 'agents.write'
  | 'users.manage';

export type Role = 'admin' | 'operator' | 'viewer';

export interface Me {
  username: string;
  role?: Role;
  permissions?: Partial<Record<Permission, boolean>>;
}

export interface FieldIssue {
  field: string;
  message: string;
}

export interface WebSocketSettings {
  plain: { enabled: boolean; port: number; bindAddress: string; localhostFallback: boolean };
  secure: {
    enabled: boolean;
    port: number;
    bindAddress: string;
    clientAuth: 'none' | 'optional' | 'required';
    minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  };
}

export interface SettingsVersion {
  version: number;
  value: WebSocketSettings;
  createdAt: string;
  createdBy: string;
}

export interface StrandedAgent {
  id: string;
  nodeId: string | null;
  remoteAddress: string | null;
  listenerAddress?: string | null;
}

export interface BoundListener {
  kind: 'plain' | 'secure';
  address: string;
  port: number;
  tls: boolean;
  connections: number;
}

/** A listener the settings ask for that the node could not bind, and why. */
export interface FailedListener {
  kind: 'plain' | 'secure';
  address: string;
  port: number;
  reason: string;
  since: string;
}

export interface NodeListeners {
  nodeId: string;
  nodeName: string;
  heartbeatAt: string;
  listeners: BoundListener[];
  /** Absent from centrals before issue 16. */
  failed?: FailedListener[];
}

export interface ServerCertificate {
  id: string;
  source: string;
  installedAt: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  fingerprintSha256: string;
  keyType: string;
  selfSigned: boolean;
  daysLeft: number;
  serialNumber: string;
  chain: string[];
  expiryWarning: string | null;
}

export interface AcmeOrder {
  id: string;
  fqdn: string;
  directoryUrl: string;
  contact: string;
  renewDaysBefore: number;
  /** What a certificate with a new trust anchor does: an automatic rotation, or held for approval. */
  newAnchor?: AcmeNewAnchor;
  rotationId?: string | null;
  status: string;
  progress: string;
  error: string | null;
  errorDetail: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export type AcmeNewAnchor = 'rotate' | 'hold';

export interface AcmeStatus {
  renewal: {
    fqdn: string;
    directoryUrl: string;
    renewDaysBefore: number;
    newAnchor?: AcmeNewAnchor;
    certificateNotAfter: string;
    renewAt: string;
  } | null;
  /** A certificate the CA issued that would strand agents: it waits for approval (ADR 24). */
  held?: { orderId: string; fqdn: string; message: string | null; since: string | null } | null;
  /** Certificates being rotated in by an automatic rotation (ADR 32). */
  rotating?: Array<{ orderId: string; fqdn: string; rotationId: string | null; message: string | null }>;
  orders: AcmeOrder[];
}

export type AgentStatus = 'online' | 'offline' | 'disconnected' | 'never_connected';
export type Transport = 'plain' | 'secure' | 'secure+mtls';

export interface Agent {
  id: string;
  status: AgentStatus;
  transport: Transport | null;
  agentVersion: string | null;
  capabilities: string[];
  profileSha256: string | null;
  /** What rollouts and the group filter match: `adminGroups` and `reportedGroups` together (ADR 37). */
  groups: string[];
  /** Set by an admin (or the enrollment token). */
  adminGroups: string[];
  /** From the agent's own agent.group, as its last hello said. */
  reportedGroups: string[];
  nodeId: string | null;
  remoteAddress: string | null;
  enrolledAt: string;
  revokedAt: string | null;
  connectedAt: string | null;
  lastSeenAt: string | null;
  /**
   * The trust anchors of the agent's truststore as it last reported them (GET /api/agents/:id; the live
   * socket's rows do not carry them). null: it never reported; undefined: not loaded.
   */
  trustAnchors?: TrustAnchor[] | null;
  trustReportedAt?: string | null;
}

/** A CA the agent trusts: SHA-256 of its DER certificate, and its subject. */
export interface TrustAnchor {
  sha256: string;
  subject: string;
}

export interface EnrollmentToken {
  id: string;
  description: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
  /** A re-enroll token: the one agent it may enroll again. */
  agentId: string | null;
  /** Only agent ids starting with this enroll with the token. */
  agentIdPrefix: string | null;
  /** The group agents enrolled with the token join. */
  group: string | null;
}

export interface NewEnrollmentToken {
  id: string;
  token: string;
  expiresAt: string;
  maxUses: number | null;
  description: string;
  agentIdPrefix?: string | null;
  group?: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  address: string | null;
  action: string;
  target: string | null;
  outcome: 'success' | 'refused' | 'failed';
  details: Record<string, unknown>;
  /** The action in words ("cancel rollout 42"). */
  summary: string;
}

export type LiveMessage =
  | { type: 'ready'; username: string | null }
  | { type: 'agents.changed'; agents: Agent[]; removed: string[] }
  | { type: 'rollouts.changed'; rollouts: PushedRollout[] };
