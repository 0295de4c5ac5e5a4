import { z } from 'zod';

// What an agent trusts (issue 14): the trust anchors of its active truststore, reported in `hello` and
// again in `trust.report` whenever the truststore changes, so central can refuse a server-certificate
// change that would strand agents.

/** At most this many anchors are reported; a truststore with more is cut (the report says how many). */
export const MAX_REPORTED_TRUST_ANCHORS = 64;

export const trustAnchorSchema = z.strictObject({
  /** SHA-256 of the anchor certificate's DER encoding, lower-case hex (what `openssl x509 -fingerprint -sha256` shows). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256 of the DER certificate'),
  /** The subject as one line (`CN=Example Root, O=Example`), for operators. */
  subject: z.string().max(512),
});

export const trustAnchorsSchema = z.array(trustAnchorSchema).max(MAX_REPORTED_TRUST_ANCHORS);

/** agent → central: the truststore changed after hello (file replaced, profile activated without a reconnect). */
export const trustReportSchema = z.strictObject({
  type: z.literal('trust.report'),
  trustAnchors: trustAnchorsSchema,
});

export type TrustAnchor = z.infer<typeof trustAnchorSchema>;
export type TrustReport = z.infer<typeof trustReportSchema>;
