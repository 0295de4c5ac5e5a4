// Interoperability with OpenSSL 3: PKCS#12 files from `openssl pkcs12 -export -nokeys` (several
// encryptions) are read by us; our PKCS#12 files are read by OpenSSL.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeystoreErrorCode, readTruststore, writePkcs12Truststore } from './index.js';
import {
  createCaCertificate,
  errorCodeOf,
  makeTempDir,
  openssl,
  succeeded,
  toPem,
} from './testing/keystore.js';

const PASSWORD = 'changeit';
const SLOW = 60_000;

describe('OpenSSL interoperability', () => {
  const temp = makeTempDir();
  const file = (name: string) => join(temp.dir, name);
  let ec: Buffer;
  let rsa: Buffer;

  /** `openssl pkcs12 -export -nokeys` of both CA certificates into `name`, returning the file. */
  const exportCerts = async (name: string, options: string[]) => {
    const args = ['pkcs12', '-export', '-nokeys', '-in', file('cas.pem'), '-out', file(name), ...options];
    succeeded(await openssl([...args, '-passout', `pass:${PASSWORD}`]));
    return readFileSync(file(name));
  };

  beforeAll(async () => {
    [ec, rsa] = await Promise.all([
      createCaCertificate('ec', 'OpenSSL EC CA'),
      createCaCertificate('rsa', 'OpenSSL RSA CA'),
    ]);
    writeFileSync(file('cas.pem'), toPem(ec) + toPem(rsa));
  }, SLOW);
  afterAll(() => temp.remove());

  describe('we read what openssl pkcs12 -export -nokeys writes', () => {
    it.each([
      ['default (PBES2 AES-256-CBC, HMAC-SHA-256 MAC)', []],
      ['-legacy (RC2-40 via node-forge, SHA-1 MAC)', ['-legacy']],
      ['-descert (PKCS#12 PBE 3DES)', ['-descert']],
      ['-certpbe PBE-SHA1-RC2-128', ['-legacy', '-certpbe', 'PBE-SHA1-RC2-128']],
      ['-certpbe PBE-SHA1-2DES', ['-legacy', '-certpbe', 'PBE-SHA1-2DES']],
      ['-certpbe AES-128-CBC, -macalg sha1', ['-certpbe', 'AES-128-CBC', '-macalg', 'sha1']],
      ['-certpbe NONE (unencrypted)', ['-certpbe', 'NONE']],
      ['-macalg sha512', ['-macalg', 'sha512']],
    ])(
      '%s',
      async (name, options) => {
        const bytes = await exportCerts(`${name.split(' ')[0]}.p12`, options);
        // No friendly names: the certificates are numbered, as Java numbers unnamed entries.
        expect(readTruststore(bytes, PASSWORD)).toEqual([
          { alias: '1', der: ec },
          { alias: '2', der: rsa },
        ]);
        expect(errorCodeOf(() => readTruststore(bytes, 'wrong-password'))).toBe(
          KeystoreErrorCode.WRONG_PASSWORD,
        );
      },
      SLOW,
    );

    it(
      'takes the aliases from -caname',
      async () => {
        const bytes = await exportCerts('named.p12', ['-caname', 'ec-ca', '-caname', 'rsa-ca']);
        expect(readTruststore(bytes, PASSWORD).map((c) => c.alias)).toEqual(['ec-ca', 'rsa-ca']);
      },
      SLOW,
    );

    it(
      'reads a file with neither MAC nor encryption (-nomac) whatever the password',
      async () => {
        const bytes = await exportCerts('nomac.p12', ['-nomac']);
        expect(readTruststore(bytes, 'any-password')).toHaveLength(2);
      },
      SLOW,
    );

    it(
      'reports a wrong password as WRONG_PASSWORD without MAC when the bags are encrypted',
      async () => {
        const bytes = await exportCerts('nomac-aes.p12', ['-nomac', '-certpbe', 'AES-256-CBC']);
        expect(readTruststore(bytes, PASSWORD)).toHaveLength(2);
        expect(errorCodeOf(() => readTruststore(bytes, 'wrong-password'))).toBe(
          KeystoreErrorCode.WRONG_PASSWORD,
        );
      },
      SLOW,
    );

    it(
      'skips a private key and its certificate (openssl -export with -inkey)',
      async () => {
        const keyArgs = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
        succeeded(
          await openssl([
            ...keyArgs,
            '-keyout',
            file('k.pem'),
            '-out',
            file('leaf.pem'),
            '-subj',
            '/CN=leaf',
          ]),
        );
        const args = [
          'pkcs12',
          '-export',
          '-inkey',
          file('k.pem'),
          '-in',
          file('leaf.pem'),
          '-out',
          file('key.p12'),
        ];
        succeeded(await openssl([...args, '-passout', `pass:${PASSWORD}`]));
        // As for Java: a key entry's certificate is not a trusted certificate.
        expect(errorCodeOf(() => readTruststore(readFileSync(file('key.p12')), PASSWORD))).toBe(
          KeystoreErrorCode.EMPTY,
        );
      },
      SLOW,
    );

    it(
      'throws nothing but KeystoreError for random damage to an encrypted file',
      async () => {
        // One iteration for the KDFs keeps each damaged read cheap.
        const bytes = await exportCerts('noiter.p12', ['-noiter', '-nomaciter']);
        expect(readTruststore(bytes, PASSWORD)).toHaveLength(2);
        for (let i = 0; i < 1000; i++) {
          const damaged = Buffer.from(bytes.subarray(0, 1 + Math.floor(Math.random() * bytes.length)));
          for (let n = 0; n < 3; n++)
            damaged[Math.floor(Math.random() * damaged.length)] = Math.floor(Math.random() * 256);
          expect(Object.values(KeystoreErrorCode)).toContain(
            errorCodeOf(() => readTruststore(damaged, PASSWORD, 'pkcs12')),
          );
        }
      },
      SLOW,
    );
  });

  it(
    'openssl reads our PKCS#12 truststore and checks its MAC',
    async () => {
      writeFileSync(
        file('ours.p12'),
        writePkcs12Truststore(
          [
            { alias: 'ec-ca', der: ec },
            { alias: 'rsa-ca', der: rsa },
          ],
          PASSWORD,
        ),
      );
      const read = (password: string) =>
        openssl(['pkcs12', '-in', file('ours.p12'), '-nokeys', '-info', '-passin', `pass:${password}`]);
      const [ok, wrong] = await Promise.all([read(PASSWORD), read('wrong-password')]);
      const output = succeeded(ok).stdout + ok.stderr;
      expect(output).toMatch(/MAC: sha256, Iteration 10000/);
      expect(output).toMatch(/friendlyName: ec-ca/);
      expect(output).toMatch(/friendlyName: rsa-ca/);
      expect(output).toContain(toPem(ec).trim());
      expect(output).toContain(toPem(rsa).trim());
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/mac verify error/i);
    },
    SLOW,
  );
});
