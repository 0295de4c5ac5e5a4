import { X509Certificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { loadedX509 } from '../x509.loader.js';
import type { FoundCertificate } from './import.types.js';

/**
 * The certificates of a PKCS#7 / CMS SignedData (`.p7b`, `.p7c`), DER; undefined when the bytes are not
 * one. PKCS#7 holds a set, so the order is not taken to mean anything.
 */
export function readPkcs7Certificates(der: Buffer, file: string): FoundCertificate[] | undefined {
  const x509 = loadedX509(); // importServerIdentity loaded it
  let certificates: X509.X509Certificates;
  try {
    certificates = new x509.X509Certificates(der);
  } catch {
    return undefined;
  }
  return certificates.map((certificate, position) => ({
    certificate: new X509Certificate(Buffer.from(certificate.rawData)),
    file,
    position,
    ordered: false,
  }));
}
