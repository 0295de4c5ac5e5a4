// Interoperability with the real Java keytool (Java 17): what we write, keytool lists as trustedCertEntry;
// what keytool writes, we read with the same DER.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeystoreErrorCode, readTruststore, writeJksTruststore, writePkcs12Truststore } from './index.js';
import {
  createCaCertificate,
  errorCodeOf,
  keytool,
  makeTempDir,
  parseKeytoolListVerbose,
  sha256Fingerprint,
  succeeded,
  toPem,
} from './testing/keystore.js';

/** keytool starts a JVM per run (~0.5 s). */
const SLOW = 60_000;

const PASSWORD = 'changeit';
type StoreType = 'JKS' | 'PKCS12' | 'JCEKS';

describe('Java keytool interoperability', () => {
  const temp = makeTempDir();
  const file = (name: string) => join(temp.dir, name);
  let ec: Buffer;
  let rsa: Buffer;

  const list = (path: string, storeType: StoreType, password = PASSWORD) =>
    keytool(['-list', '-v', '-keystore', path, '-storetype', storeType, '-storepass', password]);
  const importCert = (path: string, storeType: StoreType, alias: string, pem: string, extra: string[] = []) =>
    keytool(
      [...extra, '-importcert', '-noprompt', '-alias', alias, '-file', pem, '-keystore', path].concat([
        '-storetype',
        storeType,
        '-storepass',
        PASSWORD,
      ]),
    ).then(succeeded);
  const genKeyPair = (path: string, storeType: StoreType) =>
    keytool(
      [
        '-genkeypair',
        '-alias',
        'server',
        '-keyalg',
        'EC',
        '-groupname',
        'secp256r1',
        '-dname',
        'CN=server',
      ].concat([
        '-validity',
        '2',
        '-keystore',
        path,
        '-storetype',
        storeType,
        '-storepass',
        PASSWORD,
        '-keypass',
        PASSWORD,
      ]),
    ).then(succeeded);

  beforeAll(async () => {
    [ec, rsa] = await Promise.all([
      createCaCertificate('ec', 'Java EC CA'),
      createCaCertificate('rsa', 'Java RSA CA'),
    ]);
    writeFileSync(file('ec.pem'), toPem(ec));
    writeFileSync(file('rsa.pem'), toPem(rsa));
  }, SLOW);
  afterAll(() => temp.remove());

  describe('keytool lists what we write', () => {
    it.each([
      [
        'JKS',
        'ours.jks',
        (certs: { alias: string; der: Buffer }[], pw: string) => writeJksTruststore(certs, pw),
      ],
      [
        'PKCS12',
        'ours.p12',
        (certs: { alias: string; der: Buffer }[], pw: string) => writePkcs12Truststore(certs, pw),
      ],
    ] as const)(
      '%s: one trustedCertEntry per certificate, same fingerprints',
      async (storeType, name, write) => {
        const path = file(name);
        writeFileSync(
          path,
          write(
            [
              { alias: 'EC-CA', der: ec },
              { alias: 'rsa-ca', der: rsa },
            ],
            PASSWORD,
          ),
        );
        const [listed, refused] = await Promise.all([
          list(path, storeType),
          list(path, storeType, 'wrong-password'),
        ]);
        const entries = parseKeytoolListVerbose(succeeded(listed).stdout);
        // Java shows aliases lower-cased.
        expect(entries.sort((a, b) => a.alias.localeCompare(b.alias))).toEqual([
          { alias: 'ec-ca', entryType: 'trustedCertEntry', sha256: sha256Fingerprint(ec) },
          { alias: 'rsa-ca', entryType: 'trustedCertEntry', sha256: sha256Fingerprint(rsa) },
        ]);
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toMatch(/password was incorrect|Integrity check failed/);
      },
      SLOW,
    );

    it.each([
      ['JKS', 'unicode.jks', writeJksTruststore, 'pässwörd€'],
      // Java 17 refuses non-ASCII PKCS#12 passwords ("Password is not ASCII"), whoever wrote the file.
      ['PKCS12', 'unicode.p12', writePkcs12Truststore, 'changeit'],
    ] as const)(
      '%s: non-ASCII aliases (and JKS passwords)',
      async (storeType, name, write, password) => {
        const path = file(name);
        writeFileSync(path, write([{ alias: 'zürich-ca😀', der: ec }], password));
        const entries = parseKeytoolListVerbose(succeeded(await list(path, storeType, password)).stdout);
        expect(entries).toEqual([
          { alias: 'zürich-ca😀', entryType: 'trustedCertEntry', sha256: sha256Fingerprint(ec) },
        ]);
      },
      SLOW,
    );
  });

  describe('we read what keytool writes', () => {
    const twoCaStore = async (name: string, storeType: StoreType, extra: string[] = []) => {
      const path = file(name);
      await importCert(path, storeType, 'EC-CA', file('ec.pem'), extra);
      await importCert(path, storeType, 'rsa-ca', file('rsa.pem'), extra);
      return readFileSync(path);
    };

    // keytool lower-cases JKS and JCEKS aliases when it writes them, and keeps PKCS#12 friendly names.
    it.each([
      ['JKS', 'keytool.jks', 'JKS', [], 'ec-ca'],
      ['PKCS12 (PBES2 AES-256, HMAC-SHA-256 MAC)', 'keytool.p12', 'PKCS12', [], 'EC-CA'],
      [
        'PKCS12 legacy (RC2-40, SHA-1 MAC)',
        'keytool-legacy.p12',
        'PKCS12',
        ['-J-Dkeystore.pkcs12.legacy'],
        'EC-CA',
      ],
      ['JCEKS', 'keytool.jceks', 'JCEKS', [], 'ec-ca'],
    ] as const)(
      '%s',
      async (_name, name, storeType, extra, ecAlias) => {
        const bytes = await twoCaStore(name, storeType, [...extra]);
        const read = readTruststore(bytes, PASSWORD).sort((a, b) => a.alias.localeCompare(b.alias));
        expect(read).toEqual([
          { alias: ecAlias, der: ec },
          { alias: 'rsa-ca', der: rsa },
        ]);
        expect(errorCodeOf(() => readTruststore(bytes, 'wrong-password'))).toBe(
          KeystoreErrorCode.WRONG_PASSWORD,
        );
      },
      SLOW,
    );

    it(
      'JKS with a non-ASCII alias and password',
      async () => {
        const path = file('unicode-keytool.jks');
        await keytool(
          [
            '-importcert',
            '-noprompt',
            '-alias',
            'Zürich😀',
            '-file',
            file('ec.pem'),
            '-keystore',
            path,
          ].concat(['-storetype', 'JKS', '-storepass', 'pässwörd€']),
        ).then(succeeded);
        expect(readTruststore(readFileSync(path), 'pässwörd€')).toEqual([{ alias: 'zürich😀', der: ec }]);
      },
      SLOW,
    );

    it.each([
      ['JKS', 'keys.jks'],
      ['PKCS12', 'keys.p12'],
    ] as const)(
      '%s with a private-key entry: only the trusted certificate',
      async (storeType, name) => {
        const path = file(name);
        await genKeyPair(path, storeType);
        expect(errorCodeOf(() => readTruststore(readFileSync(path), PASSWORD))).toBe(KeystoreErrorCode.EMPTY);
        await importCert(path, storeType, 'ec-ca', file('ec.pem'));
        expect(readTruststore(readFileSync(path), PASSWORD)).toEqual([{ alias: 'ec-ca', der: ec }]);
      },
      SLOW,
    );
  });
});
