import { X509Certificate } from 'node:crypto';
import { summarizeCertificate, type CertificateSummary } from '../../../../libs/pki/index.js';

/** Days before expiry at which operators are warned (API, log, audit). */
export const EXPIRY_WARNING_DAYS = [90, 30, 7] as const;

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
    expiryWarning: expiryWarning(summary.daysLeft),
  };
}

export function expiryWarning(daysLeft: number): string | null {
  if (daysLeft < 0) return 'expired';
  const threshold = [...EXPIRY_WARNING_DAYS].reverse().find((d) => daysLeft < d);
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
