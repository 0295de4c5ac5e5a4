import { randomBytes, webcrypto } from 'node:crypto';
import { EC_P256 } from '../x509.loader.js';

export function generateP256KeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

/** PKCS#8 PEM of a private key. */
export async function privateKeyToPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim();
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

/** Imports a PKCS#8 PEM ECDSA P-256 private key for signing. */
export function privateKeyFromPem(pem: string): Promise<webcrypto.CryptoKey> {
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
  if (!match) throw new Error('not a PKCS#8 PEM private key');
  const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, EC_P256, false, ['sign']);
}

/**
 * A random positive 128-bit serial number, as lower-case hex. The first nibble is never 0 so that every
 * tool prints the same digits (OpenSSL drops leading zero bytes).
 */
export function randomSerial(random: (n: number) => Buffer = randomBytes): string {
  const serial = random(16);
  serial[0] = (serial[0] & 0x7f) | 0x10;
  return serial.toString('hex');
}

/** Serial numbers as compared everywhere: lower-case hex without leading zeros. */
export function normalizeSerial(hex: string): string {
  return hex
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .replace(/^0+(?=.)/, '');
}
