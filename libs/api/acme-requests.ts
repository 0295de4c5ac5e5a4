// The bodies of /api/certificates/acme (ADR 10, ADR 32). Server side only: DNS names and PEM certificates
// are checked with Node (node:net, node:crypto); the answers are in acme.ts.
import { isIP } from 'node:net';
import { z } from 'zod';
import { isCertificatePem } from '../pki/certificate-pem.js';
import { NEW_ANCHOR_POLICIES } from './acme.js';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const fqdn = z
  .string('must be a DNS name')
  .trim()
  .toLowerCase()
  .superRefine((name, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (name.startsWith('*.'))
      return fail('wildcard names need the dns-01 challenge; central answers http-01');
    if (isIP(name) !== 0) return fail('must be a DNS name, not an IP address');
    if (name.length > 253 || !name.split('.').every((l) => LABEL.test(l)))
      return fail('must be a DNS name such as central.example.com');
  });

/**
 * What to do with a certificate whose chain ends at an anchor known agents do not trust (ADR 32):
 * `rotate` stages it as a rotation that advances by itself, `hold` waits for an operator's approval.
 */
export const newAnchorSchema = z
  .enum(NEW_ANCHOR_POLICIES, {
    error:
      'must be "rotate" (stage a certificate rotation that advances by itself) or "hold" (wait for approval)',
  })
  .describe('What a certificate with a new trust anchor does: rotate (automatic rotation) or hold');

/** Body of POST /api/certificates/acme. */
export const acmeOrderRequestSchema = z.strictObject({
  fqdn,
  directoryUrl: z.url({ protocol: /^https$/, error: 'must be the https:// URL of an ACME directory' }),
  contact: z.email('must be an email address'),
  renewDaysBefore: z
    .number('must be a whole number of days')
    .int('must be a whole number of days')
    .min(1, 'must be between 1 and 365')
    .max(365, 'must be between 1 and 365')
    .default(30),
  newAnchor: newAnchorSchema.default('rotate'),
  directoryCaPem: z
    .string()
    .max(200_000)
    .refine(isCertificatePem, 'must be one or more PEM certificates')
    .optional(),
});

export type AcmeOrderRequest = z.infer<typeof acmeOrderRequestSchema>;

/** Body of PUT /api/certificates/acme/renewal: the settings of the renewal of the active certificate. */
export const acmeRenewalSettingsSchema = z.strictObject({ newAnchor: newAnchorSchema });

export type AcmeRenewalSettings = z.infer<typeof acmeRenewalSettingsSchema>;
