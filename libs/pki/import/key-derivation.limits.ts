import {
  detectKeystoreType,
  encryptedPkcs8KeyDerivations,
  type KeyDerivation,
  pkcs12KeyDerivations,
} from '../../keystore/index.js';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import type { ImportFile } from './import.types.js';
import { looksLikePem, parsePemBlocks } from './pem.blocks.js';

/**
 * The most a file may ask of central to open it. A 1 KB PKCS#12 with 5,000,000 iterations kept central's
 * CPU busy for 17–31 s (86 s as `-legacy`); exports use 2,048 (OpenSSL), 10,000 (Java) or 600,000 at most
 * (OWASP's PBKDF2-SHA256 advice). scrypt: OpenSSL writes N=16384, r=8, p=1.
 */
export const KEY_DERIVATION_LIMITS = {
  iterations: 1_000_000,
  scryptN: 1_048_576,
  scryptR: 32,
  scryptP: 16,
} as const;

/**
 * Refuses, before any key is derived, a file whose key derivations cost more than central accepts; the
 * message names the figure and the limit.
 *
 * @throws CertificateImportError TOO_COSTLY
 */
export function checkKeyDerivations(derivations: readonly KeyDerivation[], file: string): void {
  for (const d of derivations) {
    if (d.kdf === 'scrypt') {
      const over = (
        [
          ['N', d.n, KEY_DERIVATION_LIMITS.scryptN],
          ['r', d.r, KEY_DERIVATION_LIMITS.scryptR],
          ['p', d.p, KEY_DERIVATION_LIMITS.scryptP],
        ] as const
      ).find(([, value, limit]) => value > limit);
      if (over) {
        throw tooCostly(
          file,
          `${file}: ${d.what} uses scrypt with ${over[0]}=${over[1]}; at most ${over[2]} is accepted`,
        );
      }
    } else if (d.iterations > KEY_DERIVATION_LIMITS.iterations) {
      throw tooCostly(
        file,
        `${file}: ${d.what} uses ${d.iterations} iterations; at most ${KEY_DERIVATION_LIMITS.iterations} ` +
          'are accepted (export it again with fewer, e.g. openssl pkcs12 -export -iter 10000)',
      );
    }
  }
}

const tooCostly = (file: string, message: string) =>
  new CertificateImportError(CertificateImportErrorCode.TOO_COSTLY, message, { file });

/**
 * The same check for whole uploads, without reading anything else: only the ASN.1 structures that carry
 * iteration counts and scrypt parameters are parsed (milliseconds), so a caller can refuse a costly file
 * before handing the import to a worker thread.
 *
 * @throws CertificateImportError TOO_COSTLY
 */
export function checkImportCosts(files: readonly ImportFile[]): void {
  for (const { name, bytes } of files) {
    if (looksLikePem(bytes)) {
      let blocks;
      try {
        blocks = parsePemBlocks(bytes.toString('utf8'));
      } catch {
        continue; // the reader proper says what is wrong with it
      }
      for (const block of blocks) {
        if (block.label === 'ENCRYPTED PRIVATE KEY') {
          checkKeyDerivations(encryptedPkcs8KeyDerivations(block.der), name);
        }
      }
    } else if (detectKeystoreType(bytes) === 'pkcs12') {
      checkKeyDerivations(pkcs12KeyDerivations(bytes), name);
    } else {
      checkKeyDerivations(encryptedPkcs8KeyDerivations(bytes), name);
    }
  }
}
