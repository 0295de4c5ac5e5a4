import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which needs the Reflect polyfill
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { FoundCertificate } from './import.types.js';

/**
 * The certificates of a PKCS#7 / CMS SignedData (`.p7b`, `.p7c`), DER; undefined when the bytes are not
 * one. PKCS#7 holds a set, so the order is not taken to mean anything.
 */
export function readPkcs7Certificates(der: Buffer, file: string): FoundCertificate[] | undefined {
  let certificates: x509.X509Certificates;
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
