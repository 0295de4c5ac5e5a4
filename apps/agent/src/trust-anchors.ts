import { X509Certificate, createHash } from 'node:crypto';
import { MAX_REPORTED_TRUST_ANCHORS, type TrustAnchor } from '../../../libs/protocol/index.js';

/**
 * The trust anchors the agent reports to central (hello, trust.report): for each CA of the loaded
 * truststore, the SHA-256 of its DER encoding and its subject on one line. Sorted and without
 * duplicates, so the same truststore always gives the same report; at most MAX_REPORTED_TRUST_ANCHORS.
 */
export function trustAnchorsOf(caPems: readonly string[]): TrustAnchor[] {
  const anchors = new Map<string, TrustAnchor>();
  for (const pem of caPems) {
    const certificate = new X509Certificate(pem);
    const sha256 = createHash('sha256').update(certificate.raw).digest('hex');
    anchors.set(sha256, { sha256, subject: certificate.subject.replace(/\n/g, ', ').slice(0, 512) });
  }
  return [...anchors.values()]
    .sort((a, b) => a.sha256.localeCompare(b.sha256))
    .slice(0, MAX_REPORTED_TRUST_ANCHORS);
}

/** True when two reports name the same anchors (the order of a truststore does not matter). */
export function sameTrustAnchors(a: readonly TrustAnchor[], b: readonly TrustAnchor[]): boolean {
  return a.length === b.length && a.every((anchor, i) => anchor.sha256 === b[i]!.sha256);
}
