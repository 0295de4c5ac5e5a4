import { z } from 'zod';
import { type Wire } from './wire.js';

// /api/certificates: the active server certificate, its import and the previous one (docs/certificates.md).

/** The facts of one certificate, as every screen and `certmgr` shows them (libs/pki summarizes). */
export const certificateSummarySchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  subjectAltNames: z.array(z.string()),
  fingerprintSha256: z.string(),
  keyType: z.string(),
  selfSigned: z.boolean(),
  daysLeft: z.number(),
});

/** What `GET /api/certificates/server` and `certmgr -show` print: the same facts, one source. */
export const serverCertificateSchema = certificateSummarySchema.extend({
  id: z.string(),
  source: z.string(),
  installedAt: z.string(),
  serialNumber: z.string(),
  /** Subjects of the chain, leaf first; the last one is the trust anchor that goes into truststores. */
  chain: z.array(z.string()),
  /** `expired`, or the smallest warning threshold (in days) the certificate is within, else null. */
  expiryWarning: z.string().nullable(),
});

/** After a self-signed or previous certificate was put in place: it, and what a `force` went past. */
export const certificateChangeSchema = serverCertificateSchema.extend({ warnings: z.array(z.string()) });

/** After an import: the certificate now served, and what the checks warn about. */
export const certificateImportSchema = z.object({
  certificate: serverCertificateSchema,
  warnings: z.array(z.string()),
});

/** The key's password, a multipart field next to the files (the server import's and a rotation's). */
export const passwordField = z.string().max(1024, 'must be at most 1024 characters').optional();

/** `hosts`: comma-separated names to check the chain against, trimmed and lower-cased. */
export const hostsField = z
  .string()
  .max(4096)
  .transform((v) =>
    v
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .optional();

/** Multipart fields next to the files; `hosts` overrides SWITCHYARD_AGENT_HOSTS for this check. */
export const certificateImportFieldsSchema = z
  .object({
    password: passwordField,
    hosts: hostsField,
    /** Change it even if known agents would not trust the new chain (they are named in the 409). */
    force: z
      .enum(['true', 'false'], 'must be "true" or "false"')
      .transform((v) => v === 'true')
      .optional(),
  })
  .strict();

/** JSON body of the changes that upload nothing (self-signed, previous). */
export const certificateChangeRequestSchema = z.strictObject({ force: z.boolean().optional() });

export type CertificateSummary = Wire<typeof certificateSummarySchema>;
export type ServerCertificate = Wire<typeof serverCertificateSchema>;
export type CertificateChange = Wire<typeof certificateChangeSchema>;
export type CertificateImport = Wire<typeof certificateImportSchema>;
