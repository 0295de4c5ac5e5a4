import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HashAlgorithm } from './pkcs12.oids.js';
import { pkcs12Kdf, Pkcs12KeyPurpose, pkcs12Password } from './pkcs12.kdf.js';

/** The PKCS#12 password-integrity MAC: HMAC keyed by the PKCS#12 KDF (RFC 7292 appendix B). */
export function pkcs12Mac(
  hash: HashAlgorithm,
  password: Buffer,
  salt: Buffer,
  iterations: number,
  authSafe: Buffer,
): Buffer {
  const key = pkcs12Kdf(hash, password, salt, Pkcs12KeyPurpose.MAC, iterations, hash.outputSize);
  return createHmac(hash.name, key).update(authSafe).digest();
}

/**
 * Whether `expected` is the MAC of `authSafe` under `password`. An empty password is also tried without
 * its terminator, as OpenSSL does, because writers disagree on how to encode it.
 */
export function verifyPkcs12Mac(
  hash: HashAlgorithm,
  password: string,
  salt: Buffer,
  iterations: number,
  authSafe: Buffer,
  expected: Buffer,
): boolean {
  const candidates =
    password === '' ? [pkcs12Password('', true), pkcs12Password('', false)] : [pkcs12Password(password)];
  return candidates.some((encoded) => {
    const mac = pkcs12Mac(hash, encoded, salt, iterations, authSafe);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  });
}
