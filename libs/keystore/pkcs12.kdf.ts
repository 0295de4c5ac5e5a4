import { createHash } from 'node:crypto';
import type { HashAlgorithm } from './pkcs12.oids.js';

/** Purpose byte of the PKCS#12 key derivation (RFC 7292 appendix B.3). */
export const Pkcs12KeyPurpose = { KEY: 1, IV: 2, MAC: 3 } as const;

/**
 * The password as PKCS#12 key derivation takes it: UTF-16BE with a two-byte terminator. Java and OpenSSL
 * write an empty password this way; a few writers use zero bytes instead (pass `terminated: false`).
 */
export function pkcs12Password(password: string, terminated = true): Buffer {
  const utf16 = Buffer.from(password, 'utf16le').swap16();
  return terminated ? Buffer.concat([utf16, Buffer.alloc(2)]) : utf16;
}

/** The PKCS#12 key derivation function (RFC 7292 appendix B.2). */
export function pkcs12Kdf(
  hash: HashAlgorithm,
  password: Buffer,
  salt: Buffer,
  purpose: number,
  iterations: number,
  length: number,
): Buffer {
  const v = hash.blockSize;
  const repeat = (source: Buffer) => {
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const diversifier = Buffer.alloc(v, purpose);
  const input = Buffer.concat([repeat(salt), repeat(password)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += hash.outputSize) {
    let a = createHash(hash.name).update(diversifier).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash(hash.name).update(a).digest();
    blocks.push(a);
    if (produced + hash.outputSize >= length) break;
    // Each v-byte block of the input becomes (block + B + 1) mod 2^(8v), B being `a` repeated to v bytes.
    const b = repeat(a);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i--) {
        const sum = input[offset + i]! + b[i]! + carry;
        input[offset + i] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}
