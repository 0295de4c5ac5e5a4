import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { parsePemBlocks } from '../pki/import/pem.blocks.js';

/**
 * Which certificates a profile's truststores hold, as stored in `profiles.draft_truststore`. The first
 * two are resolved when a revision is prepared (the certificate active then), uploaded ones are fixed.
 */
export type TruststoreEntry =
  | { source: 'server-anchor'; alias: string }
  | { source: 'local-ca'; alias: string }
  | { source: 'uploaded'; alias: string; pem: string };

export const DEFAULT_ALIASES = {
  'server-anchor': 'switchyard-central',
  'local-ca': 'switchyard-local-ca',
} as const;
export const DEFAULT_TRUSTSTORE: TruststoreEntry[] = [
  { source: 'server-anchor', alias: DEFAULT_ALIASES['server-anchor'] },
];

const MAX_ENTRIES = 16;
const MAX_PEM_BYTES = 16 * 1024;

// Lower case because Java keys both formats by the lower-cased alias; what the admin types is what keytool shows.
const alias = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'must be 1-64 characters of a-z 0-9 . _ - (lower case, as keytool shows it)',
  );

const entry = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('server-anchor'), alias: alias.optional() }),
  z.strictObject({ source: z.literal('local-ca'), alias: alias.optional() }),
  z.strictObject({
    source: z.literal('uploaded'),
    alias,
    pem: z.string().max(MAX_PEM_BYTES, `must be at most ${MAX_PEM_BYTES} characters`).superRefine(checkPem),
  }),
]);

/** The truststore part of a create or update body; aliases default per source, and must be unique. */
export const truststoreSelectionSchema = z
  .array(entry)
  .min(1, 'needs at least one certificate source')
  .max(MAX_ENTRIES, `at most ${MAX_ENTRIES} entries`)
  .transform((entries): TruststoreEntry[] =>
    entries.map((e) =>
      e.source === 'uploaded'
        ? { source: 'uploaded', alias: e.alias, pem: normalizedPem(e.pem) }
        : { source: e.source, alias: e.alias ?? DEFAULT_ALIASES[e.source] },
    ),
  )
  .superRefine((entries, context) => {
    const aliases = new Set<string>();
    const sources = new Set<string>();
    entries.forEach((e, index) => {
      if (aliases.has(e.alias))
        context.addIssue({
          code: 'custom',
          path: [index, 'alias'],
          message: `alias ${e.alias} is used twice`,
        });
      aliases.add(e.alias);
      if (e.source !== 'uploaded' && sources.has(e.source)) {
        context.addIssue({ code: 'custom', path: [index, 'source'], message: `${e.source} is listed twice` });
      }
      sources.add(e.source);
    });
  });

/** One PEM certificate, nothing else: no private key may end up stored next to a profile. */
function checkPem(pem: string, context: z.RefinementCtx): void {
  const blocks = parsePemBlocks(pem);
  if (blocks.some((b) => b.label.includes('PRIVATE KEY'))) {
    context.addIssue({ code: 'custom', message: 'holds a private key; upload the certificate only' });
    return;
  }
  if (blocks.length !== 1 || blocks[0]!.label !== 'CERTIFICATE') {
    context.addIssue({ code: 'custom', message: 'must be exactly one PEM CERTIFICATE block' });
    return;
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0]!.der);
  } catch {
    context.addIssue({ code: 'custom', message: 'is not a readable X.509 certificate' });
    return;
  }
  if (new Date(cert.validTo).getTime() < Date.now()) {
    context.addIssue({ code: 'custom', message: `expired on ${new Date(cert.validTo).toISOString()}` });
  }
}

/** The certificate re-encoded as bare PEM (text around the block dropped), as stored and shipped. */
function normalizedPem(pem: string): string {
  const der = parsePemBlocks(pem)[0]?.der;
  try {
    return der ? new X509Certificate(der).toString() : pem;
  } catch {
    return pem; // refused by checkPem already
  }
}
