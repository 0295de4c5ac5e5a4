import { decodeModifiedUtf8, encodeModifiedUtf8 } from './modified-utf8.js';

describe('modified UTF-8 (JKS aliases)', () => {
  it.each([
    ['ascii', 'central-ca', '63656e7472616c2d6361'],
    ['NUL as two bytes', 'a\u0000b', '61c08062'],
    ['two-byte character', 'ü', 'c3bc'],
    ['three-byte character', '€', 'e282ac'],
    // keytool writes "zürich😀" with the emoji as two 3-byte surrogates (CESU-8), not 4-byte UTF-8.
    ['supplementary character as surrogates', 'zürich😀', '7ac3bc72696368eda0bdedb880'],
  ])('encodes and decodes %s', (_name, text, hex) => {
    expect(encodeModifiedUtf8(text).toString('hex')).toBe(hex);
    expect(decodeModifiedUtf8(Buffer.from(hex, 'hex'))).toBe(text);
  });

  it.each([
    ['a lone continuation byte', '80'],
    ['a truncated two-byte sequence', 'c3'],
    ['a truncated three-byte sequence', 'e282'],
    ['a four-byte UTF-8 sequence', 'f09f9880'],
    ['a bad continuation byte', 'c341'],
  ])('rejects %s as Java readUTF does', (_name, hex) => {
    expect(decodeModifiedUtf8(Buffer.from(hex, 'hex'))).toBeUndefined();
  });
});
