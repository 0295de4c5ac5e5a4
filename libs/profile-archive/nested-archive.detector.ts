/** Magic bytes of archive and compression formats an entry must not be (docs/design.md §5: no nested archives). */
const SIGNATURES: ReadonlyArray<{ kind: string; offset: number; bytes: Buffer }> = [
  { kind: 'zip (or jar)', offset: 0, bytes: Buffer.from('PK\x03\x04', 'latin1') },
  { kind: 'zip (or jar)', offset: 0, bytes: Buffer.from('PK\x05\x06', 'latin1') }, // an empty zip
  { kind: 'zip (or jar)', offset: 0, bytes: Buffer.from('PK\x07\x08', 'latin1') }, // a spanned zip
  { kind: 'gzip', offset: 0, bytes: Buffer.from([0x1f, 0x8b]) },
  { kind: 'tar', offset: 257, bytes: Buffer.from('ustar', 'latin1') },
  { kind: 'xz', offset: 0, bytes: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { kind: '7z', offset: 0, bytes: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { kind: 'zstd', offset: 0, bytes: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
  { kind: 'rar', offset: 0, bytes: Buffer.from('Rar!\x1a\x07', 'latin1') },
];

/**
 * Names the archive format the bytes start with, or undefined. Judged by content, not by file name, so a
 * renamed `truststore.jks` that is really a zip is caught. JKS (FEEDFEED), PKCS#12 (DER SEQUENCE) and
 * text files never match.
 */
export function detectNestedArchive(bytes: Buffer): string | undefined {
  for (const { kind, offset, bytes: magic } of SIGNATURES) {
    if (
      bytes.length >= offset + magic.length &&
      bytes.subarray(offset, offset + magic.length).equals(magic)
    ) {
      return kind;
    }
  }
  // bzip2: "BZh" and a block size digit; the digit keeps a text file starting with "BZh" from matching.
  if (
    bytes.length >= 4 &&
    bytes.subarray(0, 3).toString('latin1') === 'BZh' &&
    /[1-9]/.test(String.fromCharCode(bytes[3]!))
  ) {
    return 'bzip2';
  }
  return undefined;
}
