import { z } from 'zod';

// Client certificates in-session (ADR 0031): central offers a certificate to a connected agent that
// reported CLIENT_CERT_IN_SESSION (`certificate.offer`), the agent answers with a CSR made from a fresh
// key (`certificate.csr`), central signs it with the local CA and sends the chain (`certificate.issued`).
// The key never travels; the agent presents the certificate from its next wss connection.

/** Reported in hello.capabilities by agents that take part in the exchange; others are never offered. */
export const CLIENT_CERT_IN_SESSION = 'client-cert-in-session';

/** Correlates the three frames of one exchange; opaque to the agent. */
const offerId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const pem = (label: string, max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => v.trimStart().startsWith(`-----BEGIN ${label}-----`), `must be a PEM ${label}`);

export const certificateOfferSchema = z.strictObject({
  type: z.literal('certificate.offer'),
  offerId,
  /** Why central offers: the agent holds none yet, or its certificate is in its last 30 days. */
  reason: z.enum(['first-certificate', 'renewal']),
});

export const certificateCsrSchema = z.strictObject({
  type: z.literal('certificate.csr'),
  offerId,
  /** PKCS#10, CN = agent id, signed by the new key (proof of possession). */
  csrPem: pem('CERTIFICATE REQUEST', 8192),
});

export const certificateIssuedSchema = z.strictObject({
  type: z.literal('certificate.issued'),
  offerId,
  /** The agent's client certificate, then the local CA, as PEM. */
  certificateChainPem: pem('CERTIFICATE', 16_384),
});

export type CertificateOffer = z.infer<typeof certificateOfferSchema>;
export type CertificateCsr = z.infer<typeof certificateCsrSchema>;
export type CertificateIssued = z.infer<typeof certificateIssuedSchema>;
