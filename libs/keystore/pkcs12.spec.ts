import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import {
  elementAt,
  explicitOf,
  integerOf,
  octetsOf,
  oidOf,
  sequenceOf,
  setOf,
  textOf,
} from './der.accessors.js';
import { parseDer } from './der.reader.js';
import {
  bmpString,
  explicit,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
} from './der.writer.js';
import {
  KeystoreErrorCode,
  readTruststore,
  type TrustedCertificate,
  writePkcs12Truststore,
} from './index.js';
import { pkcs12Password } from './pkcs12.kdf.js';
import { pkcs12Mac } from './pkcs12.mac.js';
import { MAC_HASHES, Oid } from './pkcs12.oids.js';
import { createCaCertificate, errorCodeOf, keystoreErrorOf } from './testing/keystore.js';

const PASSWORD = 'changeit';

// Builds PKCS#12 files by hand, for shapes our writer never produces.
const attribute = (oid: string, value: Buffer) => sequence(objectIdentifier(oid), set(value));
function certBag(
  der: Buffer,
  opts: { name?: string; javaTrusted?: boolean; keyId?: string; certType?: string } = {},
) {
  const attributes = [
    ...(opts.name === undefined ? [] : [attribute(Oid.FRIENDLY_NAME, bmpString(opts.name))]),
    ...(opts.javaTrusted
      ? [attribute(Oid.ORACLE_TRUSTED_KEY_USAGE, objectIdentifier(Oid.ANY_EXTENDED_KEY_USAGE))]
      : []),
    ...(opts.keyId === undefined ? [] : [attribute(Oid.LOCAL_KEY_ID, octetString(Buffer.from(opts.keyId)))]),
  ];
  return sequence(
    objectIdentifier(Oid.CERT_BAG),
    explicit(
      0,
      sequence(objectIdentifier(opts.certType ?? Oid.X509_CERTIFICATE), explicit(0, octetString(der))),
    ),
    ...(attributes.length > 0 ? [set(...attributes)] : []),
  );
}
const keyBag = (keyId: string) =>
  sequence(
    objectIdentifier(Oid.PKCS8_SHROUDED_KEY_BAG),
    explicit(
      0,
      sequence(sequence(objectIdentifier(Oid.PBES2), nullValue()), octetString(Buffer.from('opaque'))),
    ),
    set(attribute(Oid.LOCAL_KEY_ID, octetString(Buffer.from(keyId)))),
  );
const nestedBag = (...bags: Buffer[]) =>
  sequence(objectIdentifier(Oid.SAFE_CONTENTS_BAG), explicit(0, sequence(...bags)));
const contentInfo = (content: Buffer, type: string = Oid.DATA) =>
  sequence(objectIdentifier(type), explicit(0, octetString(content)));
function pfx(
  bags: Buffer[],
  opts: {
    version?: number;
    authSafeType?: string;
    mac?: 'none' | 'empty-unterminated';
    macOid?: string;
    /** Written into the MAC data; the MAC itself is computed with one iteration. */
    declaredIterations?: number;
  } = {},
) {
  const authSafe = sequence(contentInfo(sequence(...bags)));
  const salt = randomBytes(8);
  const password = opts.mac === 'empty-unterminated' ? pkcs12Password('', false) : pkcs12Password(PASSWORD);
  const mac = pkcs12Mac(MAC_HASHES[Oid.SHA256]!, password, salt, 1, authSafe);
  const macData = sequence(
    sequence(sequence(objectIdentifier(opts.macOid ?? Oid.SHA256), nullValue()), octetString(mac)),
    octetString(salt),
    integer(opts.declaredIterations ?? 1),
  );
  return sequence(
    integer(opts.version ?? 3),
    contentInfo(authSafe, opts.authSafeType),
    ...(opts.mac === 'none' ? [] : [macData]),
  );
}

describe('PKCS#12 truststores', () => {
  let ec: Buffer;
  let rsa: Buffer;
  let certs: TrustedCertificate[];

  beforeAll(async () => {
    [ec, rsa] = await Promise.all([
      createCaCertificate('ec', 'P12 EC CA'),
      createCaCertificate('rsa', 'P12 RSA CA'),
    ]);
    certs = [
      { alias: 'ec-ca', der: ec },
      { alias: 'RSA-CA', der: rsa },
    ];
  });

  describe('writePkcs12Truststore', () => {
    it('writes what readTruststore reads back, in order, byte for byte', () => {
      const file = writePkcs12Truststore(certs, PASSWORD);
      expect(readTruststore(file, PASSWORD)).toEqual(certs);
      expect(readTruststore(file, PASSWORD, 'pkcs12')).toEqual(certs);
    });

    it('marks every certificate bag trusted for Java, with its alias as friendlyName', () => {
      const file = writePkcs12Truststore(certs, PASSWORD);
      const [version, authSafe, macData] = sequenceOf(parseDer(file, 'test'), 'PFX');
      expect(integerOf(version!, 'version')).toBe(3);
      const authSafeBytes = octetsOf(explicitOf(sequenceOf(authSafe!, 'ci')[1]!, 0, 'content'), 'data');
      const [data] = sequenceOf(parseDer(authSafeBytes, 'test'), 'AuthenticatedSafe');
      expect(oidOf(elementAt(sequenceOf(data!, 'ci'), 0, 'type'), 'type')).toBe(Oid.DATA); // not encrypted
      const bags = sequenceOf(
        parseDer(octetsOf(explicitOf(sequenceOf(data!, 'ci')[1]!, 0, 'c'), 'd'), 'test'),
        'bags',
      );
      expect(bags).toHaveLength(2);
      bags.forEach((bag, index) => {
        const [type, , attributes] = sequenceOf(bag, 'bag');
        expect(oidOf(type!, 'type')).toBe(Oid.CERT_BAG);
        const byType = new Map(
          setOf(attributes!, 'attributes').map((a) => {
            const [oid, values] = sequenceOf(a, 'attribute');
            return [oidOf(oid!, 'oid'), setOf(values!, 'values')] as const;
          }),
        );
        expect(textOf(byType.get(Oid.FRIENDLY_NAME)![0]!, 'name')).toBe(certs[index]!.alias);
        expect(byType.get(Oid.ORACLE_TRUSTED_KEY_USAGE)!.map((v) => oidOf(v, 'usage'))).toEqual([
          Oid.ANY_EXTENDED_KEY_USAGE,
        ]);
      });
      const [digestInfo, salt, iterations] = sequenceOf(macData!, 'macData');
      expect(oidOf(sequenceOf(sequenceOf(digestInfo!, 'di')[0]!, 'alg')[0]!, 'alg')).toBe(Oid.SHA256);
      expect(octetsOf(salt!, 'salt')).toHaveLength(20);
      expect(integerOf(iterations!, 'iterations')).toBe(10_000);
    });

    it('is read by node-forge, which checks the SHA-256 MAC independently', () => {
      const file = writePkcs12Truststore(certs, 'pässwörd');
      const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(file.toString('binary')), 'pässwörd');
      const bags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]!;
      expect(bags.map((bag) => bag.attributes.friendlyName)).toEqual([['ec-ca'], ['RSA-CA']]);
      // node-forge has no ECDSA: it keeps the EC certificate as ASN.1 and parses only the RSA one.
      expect(bags[1]!.cert?.subject.getField('CN').value).toBe('P12 RSA CA');
    });

    it('uses a fresh MAC salt each time', () => {
      expect(writePkcs12Truststore(certs, PASSWORD).equals(writePkcs12Truststore(certs, PASSWORD))).toBe(
        false,
      );
    });

    it.each([
      ['no certificates', [], KeystoreErrorCode.EMPTY],
      ['a duplicate alias', ['a', 'a'], KeystoreErrorCode.UNSUPPORTED_ENTRY],
      ['aliases differing in case', ['CA', 'ca'], KeystoreErrorCode.UNSUPPORTED_ENTRY],
      ['an empty alias', [''], KeystoreErrorCode.UNSUPPORTED_ENTRY],
    ] as const)('refuses %s', (_name, aliases, code) => {
      expect(
        errorCodeOf(() =>
          writePkcs12Truststore(
            aliases.map((alias) => ({ alias, der: ec })),
            PASSWORD,
          ),
        ),
      ).toBe(code);
    });
  });

  describe('reading', () => {
    it('reads certificate-only files without friendly names, numbering them as Java does', () => {
      expect(readTruststore(pfx([certBag(ec), certBag(rsa)]), PASSWORD)).toEqual([
        { alias: '1', der: ec },
        { alias: '2', der: rsa },
      ]);
    });

    it('reads only the Java-trusted bags when a file has them', () => {
      const file = pfx([
        keyBag('k1'),
        certBag(rsa, { name: 'server', keyId: 'k1' }),
        certBag(ec, { name: 'ca', javaTrusted: true }),
      ]);
      expect(readTruststore(file, PASSWORD)).toEqual([{ alias: 'ca', der: ec }]);
    });

    it('skips the certificates of private-key entries', () => {
      const file = pfx([keyBag('k1'), certBag(rsa, { name: 'server', keyId: 'k1' }), certBag(ec)]);
      const error = keystoreErrorOf(() => readTruststore(file, PASSWORD));
      expect(error.code).toBe(KeystoreErrorCode.EMPTY);
      expect(error.message).toBe(
        'truststore holds no trusted certificate (1 private-key or other entry skipped)',
      );
    });

    it('reads bags nested in a SafeContents bag', () => {
      const file = pfx([nestedBag(certBag(ec, { name: 'inner' })), certBag(rsa, { name: 'outer' })]);
      expect(readTruststore(file, PASSWORD).map((c) => c.alias)).toEqual(['inner', 'outer']);
    });

    it('reads a file without MAC (no password check possible)', () => {
      expect(readTruststore(pfx([certBag(ec, { name: 'a' })], { mac: 'none' }), 'anything')).toEqual([
        { alias: 'a', der: ec },
      ]);
    });

    it('accepts both encodings of an empty password', () => {
      const file = pfx([certBag(ec, { name: 'a' })], { mac: 'empty-unterminated' });
      expect(readTruststore(file, '')).toHaveLength(1);
      expect(readTruststore(writePkcs12Truststore([{ alias: 'a', der: ec }], ''), '')).toHaveLength(1);
    });

    it('ignores bytes after the PFX', () => {
      const file = Buffer.concat([writePkcs12Truststore(certs, PASSWORD), Buffer.from('trailing')]);
      expect(readTruststore(file, PASSWORD)).toEqual(certs);
    });
  });

  describe('errors', () => {
    it('reports a wrong password as WRONG_PASSWORD with an operator-readable message', () => {
      const error = keystoreErrorOf(() =>
        readTruststore(writePkcs12Truststore(certs, PASSWORD), 'wrong-password'),
      );
      expect(error.code).toBe(KeystoreErrorCode.WRONG_PASSWORD);
      expect(error.message).toBe('truststore password is wrong (or the file was altered)');
    });

    it('reports an altered certificate as WRONG_PASSWORD', () => {
      const file = writePkcs12Truststore(certs, PASSWORD);
      const at = file.indexOf(rsa) + 200;
      file[at]! ^= 0x01;
      expect(errorCodeOf(() => readTruststore(file, PASSWORD))).toBe(KeystoreErrorCode.WRONG_PASSWORD);
    });

    it('reports every truncation as CORRUPT', () => {
      const file = writePkcs12Truststore(certs, PASSWORD);
      for (let length = 0; length < file.length; length++) {
        const prefix = file.subarray(0, length);
        expect([length, errorCodeOf(() => readTruststore(prefix, PASSWORD))]).toEqual([
          length,
          KeystoreErrorCode.CORRUPT,
        ]);
        expect([length, errorCodeOf(() => readTruststore(prefix, PASSWORD, 'pkcs12'))]).toEqual([
          length,
          KeystoreErrorCode.CORRUPT,
        ]);
      }
    });

    it('names what is truncated', () => {
      const file = writePkcs12Truststore(certs, PASSWORD);
      expect(keystoreErrorOf(() => readTruststore(file.subarray(0, 500), PASSWORD)).message).toBe(
        'PKCS#12 file is malformed: truncated (data ends early) at byte 500',
      );
    });

    it.each([
      [
        'version 2 (not recognised as PKCS#12)',
        () => pfx([certBag(ec)], { version: 2 }),
        KeystoreErrorCode.UNSUPPORTED_TYPE,
        /^truststore is neither/,
      ],
      [
        'a signed authSafe',
        () => pfx([certBag(ec)], { authSafeType: Oid.SIGNED_DATA }),
        KeystoreErrorCode.UNSUPPORTED_TYPE,
        /public-key integrity/,
      ],
      [
        'an unknown MAC algorithm',
        () => pfx([certBag(ec)], { macOid: '1.2.840.113549.2.5' }),
        KeystoreErrorCode.UNSUPPORTED_TYPE,
        /MAC algorithm 1\.2\.840\.113549\.2\.5 is not supported/,
      ],
      [
        'an absurd MAC iteration count',
        () => pfx([certBag(ec)], { declaredIterations: 2 ** 31 }),
        KeystoreErrorCode.UNSUPPORTED_TYPE,
        /iteration count 2147483648 is outside/,
      ],
      [
        'a non-X.509 certificate bag',
        () => pfx([certBag(ec, { certType: '1.2.840.113549.1.9.22.2' })]),
        KeystoreErrorCode.UNSUPPORTED_ENTRY,
        /only X\.509/,
      ],
      [
        'a bag that is not a SEQUENCE',
        () => pfx([integer(5)]),
        KeystoreErrorCode.CORRUPT,
        /bag 1: expected SEQUENCE, found INTEGER/,
      ],
      [
        'a certificate that does not parse',
        () => pfx([certBag(Buffer.from('3003020101', 'hex'), { name: 'bad' })]),
        KeystoreErrorCode.CORRUPT,
        /^certificate 'bad' is not a valid X\.509 certificate$/,
      ],
    ])('reports %s', (_name, build, code, message) => {
      const file = build();
      const error = keystoreErrorOf(() => readTruststore(file, PASSWORD));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });

    it('reports the wrong version as UNSUPPORTED_TYPE when the type is forced', () => {
      const error = keystoreErrorOf(() =>
        readTruststore(pfx([certBag(ec)], { version: 2 }), PASSWORD, 'pkcs12'),
      );
      expect(error.code).toBe(KeystoreErrorCode.UNSUPPORTED_TYPE);
      expect(error.message).toBe('PKCS#12 version 2 is not supported (only 3)');
    });

    it('throws nothing but KeystoreError for random damage', () => {
      const file = pfx([certBag(ec, { name: 'a', javaTrusted: true }), certBag(rsa)]);
      for (let i = 0; i < 2000; i++) {
        const damaged = Buffer.from(file.subarray(0, 1 + Math.floor(Math.random() * file.length)));
        for (let n = 0; n < 3; n++)
          damaged[Math.floor(Math.random() * damaged.length)] = Math.floor(Math.random() * 256);
        expect(Object.values(KeystoreErrorCode)).toContain(
          errorCodeOf(() => readTruststore(damaged, PASSWORD, 'pkcs12')),
        );
      }
    });
  });
});
