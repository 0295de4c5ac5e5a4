// Every way an import goes wrong gets its own code and a message an operator can act on; what can be
// fixed (the order of a chain) is fixed with a warning.
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  CertificateImportError,
  CertificateImportErrorCode as Code,
  importServerIdentity,
  type ImportFile,
  type ImportOptions,
} from '../index.js';
import { createImportFixtures, type ImportFixtures, SERVER_HOSTS } from './testing/import-fixtures.js';

const PASSWORD = 'pfx-Secret 1';
const SLOW = 60_000;
const DAY_MS = 86_400_000;

describe('importServerIdentity: checks', () => {
  let fx: ImportFixtures;
  let serverNotAfter: Date;
  const pem = (...names: string[]) => names.map((name) => readFileSync(fx.path(name), 'utf8')).join('');
  const write = (name: string, content: string | Buffer): ImportFile => {
    writeFileSync(fx.path(name), content);
    return fx.file(name);
  };
  const fingerprints = (chainPem: string) =>
    chainPem
      .match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!
      .map((block) => new X509Certificate(block).fingerprint256);
  const fingerprintOf = (name: string) => new X509Certificate(readFileSync(fx.path(name))).fingerprint256;

  /** The CertificateImportError the import fails with. */
  async function rejection(
    files: ImportFile[],
    options: ImportOptions = {},
  ): Promise<CertificateImportError> {
    try {
      await importServerIdentity(files, options);
    } catch (error) {
      if (error instanceof CertificateImportError) return error;
      throw new Error(`expected a CertificateImportError, got ${String(error)}`, { cause: error });
    }
    throw new Error('expected the import to fail, it succeeded');
  }
  const server = () => [fx.file('server.pem'), fx.file('server.key'), fx.file('chain.pem')];

  beforeAll(async () => {
    fx = await createImportFixtures();
    serverNotAfter = new Date(new X509Certificate(readFileSync(fx.path('server.pem'))).validTo);
    const pkcs12 = ['pkcs12', '-export', '-inkey', fx.path('server.key'), '-in', fx.path('server.pem')];
    await fx.run([
      ...pkcs12,
      '-certfile',
      fx.path('chain.pem'),
      '-out',
      fx.path('server.pfx'),
      '-passout',
      `pass:${PASSWORD}`,
    ]);
    await fx.run([...pkcs12, '-legacy', '-out', fx.path('legacy.pfx'), '-passout', `pass:${PASSWORD}`]);
    const topk8 = ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', fx.path('server.key')];
    await fx.run([...topk8, '-out', fx.path('server.p8'), '-passout', `pass:${PASSWORD}`]);
    const ec = ['ec', '-in', fx.path('server.key'), '-aes256', '-out', fx.path('server.ec.pem')];
    await fx.run([...ec, '-passout', `pass:${PASSWORD}`]);
    await fx.run([
      'req',
      '-new',
      '-key',
      fx.path('server.key'),
      '-subj',
      '/CN=x',
      '-out',
      fx.path('server.csr'),
    ]);
  }, SLOW);
  afterAll(() => fx?.remove());

  describe('passwords', () => {
    it.each(['server.pfx', 'legacy.pfx'])(
      'a wrong password for %s is said so, not "mac verify failure"',
      async (name) => {
        const error = await rejection([fx.file(name)], { password: 'wrong' });
        expect(error.code).toBe(Code.WRONG_PASSWORD);
        expect(error.message).toBe(`the password for ${name} is wrong`);
        expect(error.file).toBe(name);
      },
    );

    it('a PKCS#12 file without its password asks for it', async () => {
      const error = await rejection([fx.file('server.pfx')]);
      expect(error.code).toBe(Code.PASSWORD_REQUIRED);
      expect(error.message).toBe('server.pfx is protected by a password: give its password');
    });

    it.each(['server.p8', 'server.ec.pem'])(
      'an encrypted key (%s): missing and wrong passwords',
      async (name) => {
        const files = [fx.file('server.pem'), fx.file(name), fx.file('chain.pem')];
        const missing = await rejection(files);
        expect(missing.code).toBe(Code.PASSWORD_REQUIRED);
        expect(missing.message).toBe(`the private key in ${name} is encrypted: give its password`);
        const wrong = await rejection(files, { password: 'wrong' });
        expect(wrong.code).toBe(Code.WRONG_PASSWORD);
        expect(wrong.message).toBe(`the password for ${name} is wrong`);
      },
    );
  });

  describe('what the files hold', () => {
    it('random bytes are an unrecognized format', async () => {
      const error = await rejection([write('noise.crt', randomBytes(300)), fx.file('server.key')]);
      expect(error.code).toBe(Code.UNRECOGNIZED_FORMAT);
      expect(error.message).toMatch(/^noise\.crt is not in a recognized format: expected a certificate/);
    });

    it('an empty file, a CSR and a JKS key store are named for what they are', async () => {
      expect((await rejection([write('empty.pem', '')])).message).toBe('empty.pem is empty');
      const csr = await rejection([fx.file('server.csr'), fx.file('server.key')]);
      expect(csr.code).toBe(Code.UNRECOGNIZED_FORMAT);
      expect(csr.message).toMatch(/^server\.csr holds a certificate signing request, not a certificate/);
      const jks = await rejection([write('server.jks', Buffer.from('feedfeed00000002000000', 'hex'))]);
      expect(jks.code).toBe(Code.UNSUPPORTED);
      expect(jks.message).toMatch(
        /^server\.jks is a Java KeyStore \(JKS\); convert it to PKCS#12 with keytool/,
      );
    });

    it('a damaged certificate in a PEM chain', async () => {
      const broken = pem('server.pem').replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
      const error = await rejection([write('broken.pem', broken), fx.file('server.key')]);
      expect(error.code).toBe(Code.CORRUPT_FILE);
      expect(error.message).toBe('certificate 1 in broken.pem is damaged');
    });

    it('no certificate', async () => {
      const error = await rejection([fx.file('server.key')]);
      expect(error.code).toBe(Code.NO_CERTIFICATE);
      expect(error.message).toMatch(/^no certificate found in server\.key: add the server certificate/);
    });

    it('no private key', async () => {
      const error = await rejection([fx.file('server.pem'), fx.file('chain.pem')]);
      expect(error.code).toBe(Code.NO_PRIVATE_KEY);
      expect(error.message).toBe(
        'no private key found in server.pem, chain.pem: add the key file, or a .pfx/.p12 that holds the key',
      );
    });

    it('the key does not match the certificate', async () => {
      const error = await rejection([fx.file('server.pem'), fx.file('rsa-server.key'), fx.file('chain.pem')]);
      expect(error.code).toBe(Code.KEY_MISMATCH);
      expect(error.message).toBe(
        "the private key in rsa-server.key does not belong to the certificate 'CN=central.example' " +
          '(from server.pem): import the key that was used to request this certificate',
      );
    });

    it('several keys and none matches', async () => {
      const files = [
        fx.file('server.pem'),
        fx.file('rsa-server.key'),
        fx.file('weak.key'),
        fx.file('chain.pem'),
      ];
      const error = await rejection(files);
      expect(error.code).toBe(Code.NO_MATCHING_KEY);
      expect(error.message).toBe(
        "none of the 2 private keys (in rsa-server.key, weak.key) belongs to the certificate 'CN=central.example' " +
          '(from server.pem)',
      );
    });

    it('several keys and one matches: that one, with a warning', async () => {
      const identity = await importServerIdentity([...server(), fx.file('weak.key')], {});
      expect(identity.warnings).toEqual([
        "1 other private key was left out; the key in server.key, which belongs to 'CN=central.example', is used",
      ]);
    });
  });

  describe('the chain', () => {
    it('out of order: reordered, with a warning', async () => {
      const shuffled = write('shuffled.pem', pem('root.pem', 'server.pem', 'intermediate.pem'));
      const identity = await importServerIdentity([shuffled, fx.file('server.key')], { hosts: SERVER_HOSTS });
      expect(fingerprints(identity.chainPem)).toEqual(
        ['server.pem', 'intermediate.pem', 'root.pem'].map(fingerprintOf),
      );
      expect(identity.warnings).toEqual([
        'the chain in shuffled.pem was out of order and has been reordered (server certificate first, root last)',
      ]);
    });

    it('certificates not part of the chain are left out, with a warning', async () => {
      const identity = await importServerIdentity([...server(), fx.file('rsa-server.pem')], {});
      expect(fingerprints(identity.chainPem)).toHaveLength(3);
      expect(identity.warnings).toEqual([
        "a certificate not part of the chain was left out: 'CN=central.example'",
      ]);
    });

    it('a missing intermediate is named', async () => {
      const error = await rejection([fx.file('server.pem'), fx.file('server.key'), fx.file('root.pem')]);
      expect(error.code).toBe(Code.CHAIN_INCOMPLETE);
      expect(error.message).toBe(
        "the issuer 'CN=Example Intermediate, O=Example' of 'CN=central.example' is missing: add its certificate " +
          '(the chain must go up to the root, which agents need to trust)',
      );
    });

    it('a missing root is named: agents need the trust anchor', async () => {
      const error = await rejection([
        fx.file('server.pem'),
        fx.file('server.key'),
        fx.file('intermediate.pem'),
      ]);
      expect(error.code).toBe(Code.CHAIN_INCOMPLETE);
      expect(error.message).toMatch(
        /^the issuer 'CN=Example Root, O=Example' of 'CN=Example Intermediate, O=Example' is missing: add its certificate/,
      );
    });

    it('an intermediate of the right name but another key: the signature does not verify', async () => {
      const files = [
        fx.file('server.pem'),
        fx.file('server.key'),
        fx.file('impostor-intermediate.pem'),
        fx.file('root.pem'),
      ];
      const error = await rejection(files);
      expect(error.code).toBe(Code.CHAIN_SIGNATURE_INVALID);
      expect(error.message).toMatch(
        /^the signature of 'CN=central\.example' does not verify with the key of the certificate 'CN=Example Intermediate, O=Example' given \(from impostor-intermediate\.pem\)/,
      );
    });

    it('an issuer that is not a CA', async () => {
      const files = [
        fx.file('issued-by-not-a-ca.pem'),
        fx.file('issued-by-not-a-ca.key'),
        fx.file('not-a-ca.pem'),
        fx.file('chain.pem'),
      ];
      const error = await rejection(files);
      expect(error.code).toBe(Code.ISSUER_NOT_CA);
      expect(error.message).toMatch(
        /^'CN=Not A CA' \(from not-a-ca\.pem\) signed 'CN=issued-by-not-a-ca\.example' but is not a CA certificate/,
      );
    });

    it('a self-signed server certificate is its own whole chain', async () => {
      await fx.run([
        'req',
        '-x509',
        '-new',
        '-key',
        fx.path('server.key'),
        '-subj',
        '/CN=self.example',
        '-addext',
        'subjectAltName=DNS:self.example',
        '-days',
        '30',
        '-out',
        fx.path('self.pem'),
      ]);
      const identity = await importServerIdentity([fx.file('self.pem'), fx.file('server.key')], {
        hosts: ['self.example'],
      });
      expect(fingerprints(identity.chainPem)).toEqual([fingerprintOf('self.pem')]);
      expect(identity.summary.selfSigned).toBe(true);
    });
  });

  describe('validity', () => {
    it('expired, with the dates', async () => {
      const now = new Date(serverNotAfter.getTime() + DAY_MS);
      const error = await rejection(server(), { now });
      expect(error.code).toBe(Code.EXPIRED);
      expect(error.message).toMatch(
        /^the certificate 'CN=central\.example' expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(it was valid from \d{4}-.+Z to \d{4}-.+Z\)$/,
      );
      expect(error.message).toContain(serverNotAfter.toISOString().replace('.000Z', 'Z'));
    });

    it('not yet valid, with the dates', async () => {
      const error = await rejection(server(), { now: new Date(Date.now() - 2 * DAY_MS) });
      expect(error.code).toBe(Code.NOT_YET_VALID);
      expect(error.message).toMatch(
        /^the certificate '.+' is not valid yet: it is valid from \d{4}-.+Z to \d{4}-.+Z \(now is/,
      );
    });

    it('expiring soon: a warning with the days left', async () => {
      const now = new Date(serverNotAfter.getTime() - 12.5 * DAY_MS);
      const identity = await importServerIdentity(server(), { now });
      expect(identity.warnings).toEqual([
        `the certificate 'CN=central.example' expires in 12 days (on ${serverNotAfter.toISOString().replace('.000Z', 'Z')})`,
      ]);
      expect(identity.summary.daysLeft).toBe(12);
    });
  });

  describe('usage, names and key strength', () => {
    it('no serverAuth in the extended key usage', async () => {
      const files = [fx.file('client-only.pem'), fx.file('client-only.key'), fx.file('chain.pem')];
      const error = await rejection(files);
      expect(error.code).toBe(Code.NO_SERVER_AUTH);
      expect(error.message).toBe(
        "the certificate 'CN=client.example' is not for TLS servers: its extended key usage allows only " +
          'clientAuth; ask your CA for a certificate with serverAuth',
      );
    });

    it('a key usage without digitalSignature', async () => {
      const files = [fx.file('key-encipherment.pem'), fx.file('key-encipherment.key'), fx.file('chain.pem')];
      const error = await rejection(files);
      expect(error.code).toBe(Code.KEY_USAGE_NOT_FOR_TLS);
      expect(error.message).toMatch(
        /^the certificate 'CN=key-encipherment\.example' cannot sign TLS handshakes: its key usage lacks digitalSignature \(it allows only keyEncipherment\)/,
      );
    });

    it('the names agents use must all be covered: exact, one-level wildcard, IP', async () => {
      const covered = ['central.example', 'CENTRAL.example.', 'x.apps.example', '10.0.0.5'];
      await expect(importServerIdentity(server(), { hosts: covered })).resolves.toBeDefined();
      const error = await rejection(server(), {
        hosts: ['central.example', 'apps.example', 'a.b.apps.example', '10.0.0.6', '[::1]'],
      });
      expect(error.code).toBe(Code.HOSTS_NOT_COVERED);
      expect(error.message).toBe(
        "the certificate 'CN=central.example' does not cover apps.example, a.b.apps.example, 10.0.0.6, [::1], " +
          'which agents use to reach central; it covers DNS:central.example, DNS:*.apps.example, IP:10.0.0.5',
      );
    });

    it('a certificate without subjectAltName: the common name does not count', async () => {
      const files = [fx.file('no-san.pem'), fx.file('no-san.key'), fx.file('chain.pem')];
      const error = await rejection(files, { hosts: ['central.example'] });
      expect(error.code).toBe(Code.HOSTS_NOT_COVERED);
      expect(error.message).toMatch(/it has no subjectAltName \(clients no longer accept the common name\)$/);
    });

    it('an RSA key below 2048 bits', async () => {
      const error = await rejection([fx.file('weak.pem'), fx.file('weak.key'), fx.file('chain.pem')]);
      expect(error.code).toBe(Code.WEAK_KEY);
      expect(error.message).toMatch(
        /^the RSA key of 'CN=weak\.example' has 1024 bits; at least 2048 are needed/,
      );
    });
  });
});
