import forge from 'node-forge';
import { pkcs12Kdf, pkcs12Password } from './pkcs12.kdf.js';
import { MAC_HASHES, Oid } from './pkcs12.oids.js';

// node-forge's implementation of RFC 7292 appendix B is the reference; ours uses Node's native hashes.
const forgeKey = (
  md: forge.md.MessageDigest,
  password: string,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
): string => {
  const pkcs12 = forge.pkcs12 as unknown as {
    generateKey(
      p: string,
      s: forge.util.ByteBuffer,
      id: number,
      it: number,
      n: number,
      md: unknown,
    ): forge.util.ByteBuffer;
  };
  const key = pkcs12.generateKey(
    password,
    forge.util.createBuffer(salt.toString('binary')),
    id,
    iterations,
    length,
    md,
  );
  return forge.util.bytesToHex(key.getBytes());
};

describe('PKCS#12 key derivation', () => {
  const salt = Buffer.from('0a58cf64530d823f', 'hex');
  it.each([
    ['sha1', Oid.SHA1, () => forge.md.sha1.create()],
    ['sha256', Oid.SHA256, () => forge.md.sha256.create()],
    ['sha512', Oid.SHA512, () => forge.md.sha512.create()],
  ] as const)('matches node-forge with %s for every purpose and length', (_name, oid, md) => {
    for (const [password, id, iterations, length] of [
      ['smeg', 1, 1, 24],
      ['pässwörd😀', 2, 3, 8],
      ['changeit', 3, 1000, 32],
      ['', 1, 2, 5],
      ['x', 1, 2, 150],
    ] as const) {
      const ours = pkcs12Kdf(MAC_HASHES[oid]!, pkcs12Password(password), salt, id, iterations, length);
      expect(ours.toString('hex')).toBe(forgeKey(md(), password, salt, id, iterations, length));
    }
  });

  it('encodes the password as UTF-16BE with a two-byte terminator', () => {
    expect(pkcs12Password('aü').toString('hex')).toBe('006100fc0000');
    expect(pkcs12Password('', false)).toHaveLength(0);
  });
});
