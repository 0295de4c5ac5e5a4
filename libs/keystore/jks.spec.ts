import { createHash, randomBytes } from 'node:crypto';
import { KeystoreErrorCode, readTruststore, type TrustedCertificate, writeJksTruststore } from './index.js';
import { encodeModifiedUtf8 } from './modified-utf8.js';
import { createCaCertificate, errorCodeOf, keystoreErrorOf } from './testing/keystore.js';

const PASSWORD = 'changeit';

// Builds JKS files by hand, for entry kinds our writer never produces.
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const utf = (text: string) => {
  const bytes = encodeModifiedUtf8(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};
const TIME = Buffer.alloc(8);
const certificate = (der: Buffer, version = 2) =>
  Buffer.concat([version === 2 ? utf('X.509') : Buffer.alloc(0), u32(der.length), der]);
const trustedEntry = (alias: string, der: Buffer, version = 2) =>
  Buffer.concat([u32(2), utf(alias), TIME, certificate(der, version)]);
const keyEntry = (alias: string, chain: Buffer[]) =>
  Buffer.concat([
    u32(1),
    utf(alias),
    TIME,
    u32(5),
    Buffer.from('fake!'),
    u32(chain.length),
    ...chain.map((c) => certificate(c)),
  ]);
const digest = (password: string, data: Buffer) =>
  createHash('sha1')
    .update(Buffer.from(password, 'utf16le').swap16())
    .update('Mighty Aphrodite')
    .update(data)
    .digest();
function jksFile(entries: Buffer[], { magic = 0xfeedfeed, version = 2, password = PASSWORD } = {}): Buffer {
  const data = Buffer.concat([u32(magic), u32(version), u32(entries.length), ...entries]);
  return Buffer.concat([data, digest(password, data)]);
}

describe('JKS truststores', () => {
  let ec: Buffer;
  let rsa: Buffer;
  let certs: TrustedCertificate[];

  beforeAll(async () => {
    [ec, rsa] = await Promise.all([
      createCaCertificate('ec', 'JKS EC CA'),
      createCaCertificate('rsa', 'JKS RSA CA'),
    ]);
    certs = [
      { alias: 'ec-ca', der: ec },
      { alias: 'rsa-ca', der: rsa },
    ];
  });

  describe('writeJksTruststore', () => {
    it('writes what readTruststore reads back, in order, byte for byte', () => {
      const file = writeJksTruststore(certs, PASSWORD);
      expect(readTruststore(file, PASSWORD)).toEqual(certs);
      expect(readTruststore(file, PASSWORD, 'jks')).toEqual(certs);
    });

    it('lays out version 2 trustedCertEntry records and the integrity digest', () => {
      const file = writeJksTruststore([{ alias: 'ec-ca', der: ec }], PASSWORD, {
        timestamp: new Date('2024-05-06T07:08:09.010Z'),
      });
      const expected = Buffer.concat([
        u32(0xfeedfeed),
        u32(2),
        u32(1),
        u32(2),
        utf('ec-ca'),
        Buffer.from('0000018f4cbb37b2', 'hex'), // 1714979289010 ms
        utf('X.509'),
        u32(ec.length),
        ec,
      ]);
      expect(file.subarray(0, -20).equals(expected)).toBe(true);
      expect(file.subarray(-20).equals(digest(PASSWORD, expected))).toBe(true);
    });

    it('is deterministic: same certificates, password and timestamp give the same bytes', () => {
      const timestamp = new Date('2030-01-01T00:00:00Z');
      const first = writeJksTruststore(certs, PASSWORD, { timestamp });
      const second = writeJksTruststore(
        certs.map((c) => ({ alias: c.alias, der: Buffer.from(c.der) })),
        PASSWORD,
        { timestamp: new Date(timestamp) },
      );
      expect(first.equals(second)).toBe(true);
      expect(writeJksTruststore(certs, PASSWORD).equals(writeJksTruststore(certs, PASSWORD))).toBe(true);
    });

    it('defaults every creation date to the Unix epoch', () => {
      expect(
        writeJksTruststore(certs, PASSWORD).equals(
          writeJksTruststore(certs, PASSWORD, { timestamp: new Date(0) }),
        ),
      ).toBe(true);
      const later = writeJksTruststore(certs, PASSWORD, { timestamp: new Date(1) });
      expect(later.equals(writeJksTruststore(certs, PASSWORD))).toBe(false);
    });

    it('writes aliases lower-cased, as Java does', () => {
      const file = writeJksTruststore([{ alias: 'Central-CA-Ü', der: ec }], PASSWORD);
      expect(readTruststore(file, PASSWORD).map((c) => c.alias)).toEqual(['central-ca-ü']);
    });

    it('keeps non-ASCII aliases and passwords', () => {
      const unicode = [{ alias: 'zürich-ca😀\u0000', der: ec }];
      expect(readTruststore(writeJksTruststore(unicode, 'pässwörd😀'), 'pässwörd😀')).toEqual(unicode);
    });

    it.each([
      ['no certificates', [] as { alias: string; kind: 'ec' | 'junk' }[], KeystoreErrorCode.EMPTY],
      ['an empty alias', [{ alias: '', kind: 'ec' }], KeystoreErrorCode.UNSUPPORTED_ENTRY],
      [
        'a duplicate alias',
        [
          { alias: 'a', kind: 'ec' },
          { alias: 'a', kind: 'ec' },
        ],
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
      ],
      [
        'aliases differing in case',
        [
          { alias: 'CA', kind: 'ec' },
          { alias: 'ca', kind: 'ec' },
        ],
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
      ],
      [
        'DER that is not a certificate',
        [{ alias: 'junk', kind: 'junk' }],
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
      ],
    ] as const)('refuses %s', (_name, entries, code) => {
      const input = entries.map(({ alias, kind }) => ({
        alias,
        der: kind === 'ec' ? ec : Buffer.from('3003020101', 'hex'),
      }));
      expect(errorCodeOf(() => writeJksTruststore(input, PASSWORD))).toBe(code);
    });

    it('refuses an alias longer than writeUTF allows', () => {
      expect(errorCodeOf(() => writeJksTruststore([{ alias: 'x'.repeat(65_536), der: ec }], PASSWORD))).toBe(
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
      );
    });

    it('refuses an invalid timestamp', () => {
      expect(() => writeJksTruststore(certs, PASSWORD, { timestamp: new Date(NaN) })).toThrow(RangeError);
    });
  });

  describe('reading', () => {
    it('skips private-key entries and their chains', () => {
      const file = jksFile([keyEntry('server', [rsa, ec]), trustedEntry('ec-ca', ec)]);
      expect(readTruststore(file, PASSWORD)).toEqual([{ alias: 'ec-ca', der: ec }]);
    });

    it('reports a store of private keys only as EMPTY', () => {
      const error = keystoreErrorOf(() => readTruststore(jksFile([keyEntry('server', [ec])]), PASSWORD));
      expect(error.code).toBe(KeystoreErrorCode.EMPTY);
      expect(error.message).toBe(
        'truststore holds no trusted certificate (1 private-key or other entry skipped)',
      );
    });

    it('reads version 1 files (no certificate type)', () => {
      const file = jksFile([trustedEntry('old', rsa, 1)], { version: 1 });
      expect(readTruststore(file, PASSWORD)).toEqual([{ alias: 'old', der: rsa }]);
    });

    it('reads JCEKS trusted entries', () => {
      const file = jksFile([trustedEntry('jceks-ca', ec)], { magic: 0xcececece });
      expect(readTruststore(file, PASSWORD)).toEqual([{ alias: 'jceks-ca', der: ec }]);
    });

    it('refuses JCEKS secret-key entries as UNSUPPORTED_ENTRY', () => {
      const secret = Buffer.concat([u32(3), utf('aes-key'), TIME, Buffer.from('aced0005', 'hex')]);
      const error = keystoreErrorOf(() => readTruststore(jksFile([secret], { magic: 0xcececece }), PASSWORD));
      expect(error.code).toBe(KeystoreErrorCode.UNSUPPORTED_ENTRY);
      expect(error.message).toMatch(/^JCEKS entry 1 \('aes-key'\) is a secret-key entry/);
    });

    it('refuses non-X.509 certificates as UNSUPPORTED_ENTRY', () => {
      const entry = Buffer.concat([u32(2), utf('pgp'), TIME, utf('PGP'), u32(3), Buffer.from('abc')]);
      expect(errorCodeOf(() => readTruststore(jksFile([entry]), PASSWORD))).toBe(
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
      );
    });

    it('refuses a certificate that does not parse as CORRUPT, naming its alias', () => {
      const error = keystoreErrorOf(() =>
        readTruststore(jksFile([trustedEntry('bad', Buffer.from('3003020101', 'hex'))]), PASSWORD),
      );
      expect(error.code).toBe(KeystoreErrorCode.CORRUPT);
      expect(error.message).toBe("certificate 'bad' is not a valid X.509 certificate");
    });

    it('ignores bytes after the integrity digest, as Java does', () => {
      const file = Buffer.concat([writeJksTruststore(certs, PASSWORD), Buffer.from('trailing')]);
      expect(readTruststore(file, PASSWORD)).toEqual(certs);
    });
  });

  describe('errors', () => {
    it('reports a wrong password as WRONG_PASSWORD with an operator-readable message', () => {
      const error = keystoreErrorOf(() =>
        readTruststore(writeJksTruststore(certs, PASSWORD), 'wrong-password'),
      );
      expect(error.code).toBe(KeystoreErrorCode.WRONG_PASSWORD);
      expect(error.message).toBe('truststore password is wrong (or the file was altered)');
    });

    it('reports an altered certificate or digest as WRONG_PASSWORD', () => {
      const file = writeJksTruststore(certs, PASSWORD);
      for (const at of [100, file.length - 1]) {
        const altered = Buffer.from(file);
        altered[at]! ^= 0x01;
        expect(errorCodeOf(() => readTruststore(altered, PASSWORD))).toBe(KeystoreErrorCode.WRONG_PASSWORD);
      }
    });

    it('reports every truncation as CORRUPT', () => {
      const file = writeJksTruststore(certs, PASSWORD);
      for (let length = 0; length < file.length; length++) {
        const prefix = file.subarray(0, length);
        expect([length, errorCodeOf(() => readTruststore(prefix, PASSWORD))]).toEqual([
          length,
          KeystoreErrorCode.CORRUPT,
        ]);
        expect([length, errorCodeOf(() => readTruststore(prefix, PASSWORD, 'jks'))]).toEqual([
          length,
          KeystoreErrorCode.CORRUPT,
        ]);
      }
    });

    it('names the truncated field', () => {
      const file = writeJksTruststore(certs, PASSWORD);
      expect(keystoreErrorOf(() => readTruststore(file.subarray(0, 60), PASSWORD)).message).toBe(
        "JKS file is truncated: entry 1 ('ec-ca') certificate at byte 42 needs " +
          `${ec.length} bytes, 18 left`,
      );
      expect(
        keystoreErrorOf(() => readTruststore(file.subarray(0, file.length - 3), PASSWORD)).message,
      ).toMatch(/^JKS file is truncated: integrity digest at byte \d+ needs 20 bytes, 17 left$/);
    });

    it.each([
      [
        'an unknown entry tag',
        jksFile([Buffer.concat([u32(7), utf('x')])]),
        /^JKS entry 1 has unknown entry tag 7 \(at byte 12\)$/,
      ],
      ['an unknown version', jksFile([], { version: 3 }), /^JKS file has unknown version 3$/],
      [
        'an alias that is not modified UTF-8',
        jksFile([Buffer.concat([u32(2), Buffer.from([0, 1, 0xff])])]),
        /^entry 1 alias at byte 16 is not valid modified UTF-8$/,
      ],
    ])('reports %s as CORRUPT', (_name, file, message) => {
      const error = keystoreErrorOf(() => readTruststore(file, PASSWORD));
      expect(error.code).toBe(KeystoreErrorCode.CORRUPT);
      expect(error.message).toMatch(message);
    });

    it('reports garbage as UNSUPPORTED_TYPE, or CORRUPT when the type is forced', () => {
      const garbage = Buffer.concat([Buffer.from('garbage!'), randomBytes(500)]);
      expect(errorCodeOf(() => readTruststore(garbage, PASSWORD))).toBe(KeystoreErrorCode.UNSUPPORTED_TYPE);
      expect(errorCodeOf(() => readTruststore(garbage, PASSWORD, 'jks'))).toBe(KeystoreErrorCode.CORRUPT);
      expect(errorCodeOf(() => readTruststore(garbage, PASSWORD, 'pkcs12'))).toBe(KeystoreErrorCode.CORRUPT);
    });

    it('reports a JKS header followed by garbage as CORRUPT', () => {
      const file = Buffer.concat([u32(0xfeedfeed), u32(2), randomBytes(300)]);
      expect(errorCodeOf(() => readTruststore(file, PASSWORD))).toBe(KeystoreErrorCode.CORRUPT);
    });

    it('refuses an unknown type given at run time', () => {
      const type = 'JKS' as unknown as 'jks';
      expect(
        keystoreErrorOf(() => readTruststore(writeJksTruststore(certs, PASSWORD), PASSWORD, type)).message,
      ).toBe("truststore type 'JKS' is not supported");
    });

    it('tells a PEM file apart from other formats', () => {
      const error = keystoreErrorOf(() =>
        readTruststore(Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB'), PASSWORD),
      );
      expect(error.code).toBe(KeystoreErrorCode.UNSUPPORTED_TYPE);
      expect(error.message).toMatch(/^truststore is PEM text/);
    });

    it('refuses a JKS file read as PKCS#12', () => {
      const error = keystoreErrorOf(() =>
        readTruststore(writeJksTruststore(certs, PASSWORD), PASSWORD, 'pkcs12'),
      );
      expect(error.code).toBe(KeystoreErrorCode.UNSUPPORTED_TYPE);
      expect(error.message).toBe('truststore was expected to be PKCS#12 but the file is JKS');
    });

    it('throws nothing but KeystoreError for random damage', () => {
      const file = writeJksTruststore(certs, PASSWORD);
      for (let i = 0; i < 2000; i++) {
        const damaged = Buffer.from(file.subarray(0, 1 + Math.floor(Math.random() * file.length)));
        for (let n = 0; n < 3; n++)
          damaged[Math.floor(Math.random() * damaged.length)] = Math.floor(Math.random() * 256);
        expect(Object.values(KeystoreErrorCode)).toContain(
          errorCodeOf(() => readTruststore(damaged, PASSWORD)),
        );
      }
    });
  });
});
