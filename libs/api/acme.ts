import { z } from 'zod';
import { timestamp, type Wire } from './wire.js';

// /api/certificates/acme: ACME http-01 orders, the renewal and its held or rotating certificates
// (ADR 10, ADR 24, ADR 32). The order body is checked by central (acme/dto): DNS names are parsed by Node.

export const NEW_ANCHOR_POLICIES = ['rotate', 'hold'] as const;
/** What a certificate with a new trust anchor does: an automatic rotation, or held for approval. */
export type AcmeNewAnchor = (typeof NEW_ANCHOR_POLICIES)[number];

export const acmeOrderSchema = z.object({
  id: z.string(),
  fqdn: z.string(),
  directoryUrl: z.string(),
  contact: z.string(),
  renewDaysBefore: z.number(),
  newAnchor: z.enum(NEW_ANCHOR_POLICIES),
  /** The automatic rotation that rotates (or rotated) the certificate in (ADR 32). */
  rotationId: z.string().nullable(),
  customDirectoryTrust: z.boolean(),
  reason: z.enum(['requested', 'renewal']),
  requestedBy: z.string(),
  status: z.enum(['processing', 'valid', 'failed', 'held', 'rotating']),
  progress: z.string(),
  error: z.string().nullable(),
  errorDetail: z.string().nullable(),
  certificate: z.object({ fingerprintSha256: z.string(), notAfter: timestamp.nullable() }).nullable(),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
});

export const acmeStatusSchema = z.object({
  /** The renewal of the active certificate, when it came from ACME. */
  renewal: z
    .object({
      fqdn: z.string(),
      directoryUrl: z.string(),
      contact: z.string(),
      renewDaysBefore: z.number(),
      newAnchor: z.enum(NEW_ANCHOR_POLICIES),
      certificateNotAfter: timestamp,
      renewAt: timestamp,
      checkEverySeconds: z.number(),
    })
    .nullable(),
  /** A certificate the CA issued that would strand agents: it waits for approval (ADR 24). */
  held: z
    .object({
      orderId: z.string(),
      fqdn: z.string(),
      reason: z.enum(['requested', 'renewal']),
      message: z.string().nullable(),
      since: timestamp.nullable(),
      approve: z.string(),
    })
    .nullable(),
  /** Certificates being rotated in by an automatic rotation (ADR 32). */
  rotating: z.array(
    z.object({
      orderId: z.string(),
      fqdn: z.string(),
      rotationId: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
  orders: z.array(acmeOrderSchema),
});

/** An agent a certificate change would strand, and why (ADR 24). */
export const strandedByCertificateSchema = z.object({
  id: z.string(),
  status: z.string(),
  lastSeenAt: z.string().nullable(),
  reason: z.string(),
});

/** POST /api/certificates/acme/renewal/approve: the order installed, and the agents it went past. */
export const acmeApprovalSchema = z.object({
  order: acmeOrderSchema,
  strandedAgents: z.array(strandedByCertificateSchema),
});

export type AcmeOrder = Wire<typeof acmeOrderSchema>;
export type AcmeStatus = Wire<typeof acmeStatusSchema>;
