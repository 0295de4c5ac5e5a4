import { X509Certificate } from 'node:crypto';
import { summarizeCertificate, type CertificateSummary } from '../../../../libs/pki/index.js';

/**
 * Days before expiry at which operators are warned (API, log, audit) follow the certificate's own
 * lifetime: the first warning comes in its last third or its last 30 days, whichever is shorter (a
 * 90-day ACME certificate is not "expiring" at 89 days, only from 30), then again at 7 days.
 */
export const EXPIRY_FIRST_WARNING_MAX_DAYS = 30;
export const EXPIRY_LAST_WARNING_DAYS = 7;

/** The warning thresholds in days, largest first, for a certificate valid for `lifetimeDays`. */
export function expiryThresholds(lifetimeDays: number): number[] {
  const first = Math.max(1, Math.min(EXPIRY_FIRST_WARNING_MAX_DAYS, Math.floor(lifetimeDays / 3)));
  return first > EXPIRY_LAST_WARNING_DAYS ? [first, EXPIRY_LAST_WARNING_DAYS] : [first];
}

/** The smallest threshold `daysLeft` is within (0 once expired), or undefined when none. */
export function expiryThreshold(daysLeft: number, lifetimeDays: number): number | undefined {
  if (daysLeft < 0) return 0;
  return [...expiryThresholds(lifetimeDays)].reverse().find((d) => daysLeft < d);
}

export function lifetimeDaysOf(c: { notBefore: string; notAfter: string }): number {
  return (Date.parse(c.notAfter) - Date.parse(c.notBefore)) / 86_400_000;
}

/** What `GET /api/certificates/server` and `certmgr -show` print: the same facts, one source. */
export interface ServerCertificateReport extends CertificateSummary {
  id: string;
  source: string;
  installedAt: string;
  serialNumber: string;
  /** Subjects of the chain, leaf first; the last one is the trust anchor that goes into truststores. */
  chain: string[];
  /** `expired`, or the smallest warning threshold (in days) the certificate is within, else null. */
  expiryWarning: string | null;
}

export function reportServerCertificate(
  stored: { id: string; source: string; chainPem: string; createdAt: Date },
  now = new Date(),
): ServerCertificateReport {
  const summary = summarizeCertificate(stored.chainPem, now);
  const chain = splitPemChain(stored.chainPem).map((pem) => new X509Certificate(pem));
  return {
    id: stored.id,
    source: stored.source,
    installedAt: stored.createdAt.toISOString(),
    ...summary,
    serialNumber: chain[0]!.serialNumber,
    chain: chain.map((c) => c.subject.replace(/\n/g, ', ')),
    expiryWarning: expiryWarning(summary.daysLeft, lifetimeDaysOf(summary)),
  };
}

export function expiryWarning(daysLeft: number, lifetimeDays: number): string | null {
  const threshold = expiryThreshold(daysLeft, lifetimeDays);
  if (threshold === 0) return 'expired';
  return threshold === undefined ? null : `expires within ${threshold} days`;
}

export function splitPemChain(chainPem: string): string[] {
  return chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The report as the aligned text `certmgr -show` prints. */
export function formatServerCertificateReport(r: ServerCertificateReport): string {
  const rows: Array<[string, string]> = [
    ['Subject', r.subject],
    ['Issuer', r.issuer],
    ['Serial number', r.serialNumber],
    ['Valid from', r.notBefore],
    ['Valid until', `${r.notAfter} (${r.daysLeft} days left)`],
    ['Names (SAN)', r.subjectAltNames.join(', ') || '(none)'],
    ['Key', r.keyType],
    ['SHA-256 fingerprint', r.fingerprintSha256],
    ['Self-signed', r.selfSigned ? 'yes' : 'no'],
    ['Source', r.source],
    ['Installed', r.installedAt],
    ['Chain', r.chain.join('\n' + ' '.repeat(22) + '→ ')],
  ];
  if (r.expiryWarning) rows.push(['WARNING', r.expiryWarning]);
  return rows.map(([k, v]) => `${k.padEnd(20)}  ${v}`).join('\n');
}
