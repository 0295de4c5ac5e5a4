import { X509Certificate } from 'node:crypto';

/** True when the text holds at least one PEM certificate and every one of them parses. */
export function isCertificatePem(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return false;
  try {
    blocks.forEach((b) => new X509Certificate(b));
    return true;
  } catch {
    return false;
  }
}
