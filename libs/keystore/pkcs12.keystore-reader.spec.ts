// Reading key stores (key + chain) that `openssl pkcs12 -export` writes, with every encryption operators
// meet, and PKCS#8 keys encrypted with schemes Node's OpenSSL 3 cannot decrypt.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptPkcs8PrivateKey, KeystoreErrorCode, readPkcs12KeyStore } from './index.js';
import { errorCodeOf, keystoreErrorOf, makeTempDir, openssl, succeeded } from './testing/keystore.js';

const PASSWORD = 'changeit';
const SLOW = 60_000;

describe('readPkcs12KeyStore', () => {
  const temp = makeTempDir();
  const file = (name: string) => join(temp.dir, name);
  const der = (name: string) => new X509Certificate(readFileSync(file(name))).raw;
  const keyDer = (name: string) =>
    createPrivateKey(readFileSync(file(name))).export({ type: 'pkcs8', format: 'der' });

  /** `openssl pkcs12 -export` of key + leaf + CA into `name`, returning its bytes. */
  const exportStore = async (name: string, key: string, options: string[]) => {
    const args = [
      'pkcs12',
      '-export',
      '-inkey',
      file(key),
      '-in',
      file('leaf.pem'),
      '-certfile',
      file('ca.pem'),
    ];
    succeeded(await openssl([...args, '-out', file(name), '-passout', `pass:${PASSWORD}`, ...options]));
    return readFileSync(file(name));
  };

  beforeAll(async () => {
    succeeded(await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key')]));
    succeeded(await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ec.key')]));
    succeeded(await openssl(['genrsa', '-out', file('rsa.key'), '2048']));
    const ca = ['req', '-x509', '-new', '-key', file('ca.key'), '-subj', '/CN=Keystore Test CA'];
    succeeded(await openssl([...ca, '-days', '1', '-out', file('ca.pem')]));
    const csr = ['req', '-new', '-key', file('ec.key'), '-subj', '/CN=leaf', '-out', file('leaf.csr')];
    succeeded(await openssl(csr));
    const sign = ['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key')];
    succeeded(await openssl([...sign, '-days', '1', '-out', file('leaf.pem')]));
  }, SLOW);
  afterAll(() => temp.remove());

  it.each([
    ['default (PBES2 AES-256-CBC)', []],
    ['-legacy (RC2-40 certificates, 3DES key)', ['-legacy']],
    ['-descert (3DES certificates)', ['-descert']],
    ['-keypbe NONE -certpbe NONE (plain key bag)', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
  ])(
    'reads the key and the chain of %s',
    async (name, options) => {
      const bytes = await exportStore(`${name.split(' ')[0]}.p12`, 'ec.key', [...options, '-name', 'server']);
      const { keys, certificates } = readPkcs12KeyStore(bytes, PASSWORD);
      expect(keys).toHaveLength(1);
      expect(keys[0]!.pkcs8Der).toEqual(keyDer('ec.key'));
      expect(keys[0]!.friendlyName).toBe('server');
      expect(certificates.map((c) => c.der)).toEqual([der('leaf.pem'), der('ca.pem')]);
      // The leaf and its key share a localKeyId; the CA has none.
      expect(keys[0]!.localKeyId).toEqual(certificates[0]!.localKeyId);
      expect(certificates[1]!.localKeyId).toBeUndefined();
      expect(errorCodeOf(() => readPkcs12KeyStore(bytes, 'wrong-password'))).toBe(
        KeystoreErrorCode.WRONG_PASSWORD,
      );
    },
    SLOW,
  );

  it(
    'reads an RSA key',
    async () => {
      // openssl refuses a key that does not match the certificate unless -nocerts leaves the leaf out.
      const bytes = await exportStore('rsa.p12', 'rsa.key', ['-nocerts']);
      expect(readPkcs12KeyStore(bytes, PASSWORD).keys.map((k) => k.pkcs8Der)).toEqual([keyDer('rsa.key')]);
    },
    SLOW,
  );

  it(
    'tells a wrong password without a MAC from the key that does not decrypt',
    async () => {
      const bytes = await exportStore('nomac.p12', 'ec.key', ['-nomac', '-certpbe', 'NONE']);
      expect(readPkcs12KeyStore(bytes, PASSWORD).keys).toHaveLength(1);
      const error = keystoreErrorOf(() => readPkcs12KeyStore(bytes, 'wrong-password'));
      expect(error.code).toBe(KeystoreErrorCode.WRONG_PASSWORD);
      expect(error.message).toBe('PKCS#12 password is wrong (or the file was altered)');
    },
    SLOW,
  );

  it('says what is wrong with bytes that are not PKCS#12', () => {
    expect(errorCodeOf(() => readPkcs12KeyStore(Buffer.from('not a key store'), PASSWORD))).toBe(
      KeystoreErrorCode.CORRUPT,
    );
  });

  describe('decryptPkcs8PrivateKey', () => {
    it.each([
      ['PBES2 AES-256-CBC', ['-v2', 'aes-256-cbc']],
      ['PBE-SHA1-3DES', ['-v1', 'PBE-SHA1-3DES']],
      [
        'PBE-SHA1-RC2-40 (not in Node)',
        ['-v1', 'PBE-SHA1-RC2-40', '-provider', 'legacy', '-provider', 'default'],
      ],
    ])(
      '%s',
      async (name, options) => {
        const out = file(`${name.split(' ')[0]}.p8`);
        const args = ['pkcs8', '-topk8', '-in', file('ec.key'), '-outform', 'DER', '-out', out];
        succeeded(await openssl([...args, '-passout', `pass:${PASSWORD}`, ...options]));
        const encrypted = readFileSync(out);
        expect(decryptPkcs8PrivateKey(encrypted, PASSWORD)).toEqual(keyDer('ec.key'));
        expect(errorCodeOf(() => decryptPkcs8PrivateKey(encrypted, 'wrong-password'))).toBe(
          KeystoreErrorCode.WRONG_PASSWORD,
        );
      },
      SLOW,
    );
  });
});
