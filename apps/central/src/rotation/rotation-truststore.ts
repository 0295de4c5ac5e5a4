import { X509Certificate, createHash } from 'node:crypto';
import { splitPemChain } from '../certificates/certificate-report.js';
import { type TruststoreEntry } from '../profiles/truststore-selection.js';
import { freeAlias } from '../rollouts/fleet-profile-publisher.js';
import { ROTATION_ALIAS, type RotationAnchor } from './rotation-phase.js';

/**
 * The anchor of a served chain: its last certificate, as the `server-anchor` truststore source resolves
 * it (the root when the chain carries one). `pem` is what the revision trusting both anchors ships.
 */
export function anchorOf(chainPem: string): RotationAnchor & { pem: string } {
  const last = splitPemChain(chainPem).at(-1);
  if (!last) throw new Error('the chain holds no certificate');
  const certificate = new X509Certificate(last);
  return {
    sha256: createHash('sha256').update(certificate.raw).digest('hex'),
    subject: certificate.subject.replace(/\n/g, ', '),
    pem: certificate.toString(),
  };
}

function fingerprintOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

const isRotationEntry = (e: TruststoreEntry) => e.source === 'uploaded' && e.alias.startsWith(ROTATION_ALIAS);

/**
 * Step 2: the truststore trusts the new anchor too. The `server-anchor` entry keeps resolving to the
 * certificate served now (the old anchor); the new one is an uploaded entry of its own, replacing one
 * a previous rotation left behind.
 */
export function withNewAnchor(entries: readonly TruststoreEntry[], anchorPem: string): TruststoreEntry[] {
  const kept = entries.filter((e) => !isRotationEntry(e));
  return [...kept, { source: 'uploaded', alias: freeAlias(kept, ROTATION_ALIAS), pem: anchorPem }];
}

/** Abort: the truststore as it was before (the new anchor's entry removed). */
export function withoutNewAnchor(entries: readonly TruststoreEntry[]): TruststoreEntry[] {
  const kept = entries.filter((e) => !isRotationEntry(e));
  return kept.length > 0 ? kept : [...entries];
}

/**
 * Step 5, the clean-up: the old anchor goes. After activation `server-anchor` resolves to the new
 * anchor, so the rotation's own entry is redundant and goes too; uploaded copies of the old anchor go.
 * Without a `server-anchor` entry the rotation's entry is what trusts the new anchor: it stays.
 */
export function withoutOldAnchor(
  entries: readonly TruststoreEntry[],
  oldAnchorSha256: string,
): TruststoreEntry[] {
  const servesAnchor = entries.some((e) => e.source === 'server-anchor');
  const kept = entries.filter(
    (e) =>
      !(e.source === 'uploaded' && fingerprintOf(e.pem) === oldAnchorSha256) &&
      !(servesAnchor && isRotationEntry(e)),
  );
  return kept.length > 0 ? kept : [...entries];
}
