// Every format operators bring, made by the real openssl from a root → intermediate → server PKI, imports
// into the same identity: the chain leaf-first up to the root and the key as PKCS#8.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { importServerIdentity, type ImportedServerIdentity, type ImportFile } from '../index.js';
import { openssl, succeeded } from '../../keystore/testing/keystore.js';
import { createImportFixtures, type ImportFixtures, SERVER_HOSTS } from './testing/import-fixtures.js';

const PASSWORD = 'pfx-Secret 1';
const SLOW = 60_000;

describe('importServerIdentity: formats', () => {
  let fx: ImportFixtures;
  const fingerprint = (name: string) => new X509Certificate(readFileSync(fx.path(name))).fingerprint256;
  const keyDer = (pem: string | Buffer) =>
    createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).toString('base64');

  /** The import is the `server` (or `rsa-server`) identity with the whole chain and no warning. */
  const expectIdentity = (identity: ImportedServerIdentity, server: 'server' | 'rsa-server' = 'server') => {
    const chain = identity.chainPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!;
    expect(chain.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([
      fingerprint(`${server}.pem`),
      fingerprint('intermediate.pem'),
      fingerprint('root.pem'),
    ]);
    expect(identity.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(keyDer(identity.keyPem)).toBe(keyDer(readFileSync(fx.path(`${server}.key`))));
    expect(identity.summary).toMatchObject({
      subject: 'CN=central.example',
      issuer: 'CN=Example Intermediate, O=Example',
      keyType: server === 'server' ? 'EC P-256' : 'RSA 2048',
      selfSigned: false,
    });
    expect(identity.warnings).toEqual([]);
  };
  const importAll = (files: ImportFile[], password?: string) =>
    importServerIdentity(files, { password, hosts: SERVER_HOSTS });
  /** Writes `content` into the fixtures folder and returns it as an import file. */
  const write = (name: string, content: string | Buffer): ImportFile => {
    writeFileSync(fx.path(name), content);
    return fx.file(name);
  };

  beforeAll(async () => {
    fx = await createImportFixtures();
  }, SLOW);
  afterAll(() => fx?.remove());

  describe.each(['server', 'rsa-server'] as const)('%s', (server) => {
    const key = `${server}.key`;
    const cert = `${server}.pem`;

    it('PEM certificate + PKCS#8 key + PEM chain (three files, any order)', async () => {
      expectIdentity(await importAll([fx.file(cert), fx.file(key), fx.file('chain.pem')]), server);
      expectIdentity(await importAll([fx.file('chain.pem'), fx.file(key), fx.file(cert)]), server);
    });

    it('one PEM file holding the key, the certificate and the chain', async () => {
      const all = [key, cert, 'chain.pem'].map((name) => readFileSync(fx.path(name), 'utf8')).join('');
      expectIdentity(await importAll([write(`${server}-all.pem`, all)]), server);
    });

    it('PEM certificate with the chain concatenated (fullchain.pem) + key', async () => {
      const full = [cert, 'chain.pem'].map((name) => readFileSync(fx.path(name), 'utf8')).join('');
      expectIdentity(await importAll([write(`${server}-fullchain.pem`, full), fx.file(key)]), server);
    });

    it('DER certificate (.cer) + DER PKCS#8 key', async () => {
      await fx.run(['x509', '-in', fx.path(cert), '-outform', 'DER', '-out', fx.path(`${server}.cer`)]);
      await fx.run(['pkey', '-in', fx.path(key), '-outform', 'DER', '-out', fx.path(`${server}.key.der`)]);
      const files = [fx.file(`${server}.cer`), fx.file(`${server}.key.der`), fx.file('chain.pem')];
      expectIdentity(await importAll(files), server);
    });

    it('encrypted PKCS#8 key, PEM and DER (openssl pkcs8 -topk8 -v2 aes-256-cbc)', async () => {
      for (const form of ['PEM', 'DER']) {
        const out = fx.path(`${server}.p8.${form}`);
        const topk8 = ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', fx.path(key), '-outform', form];
        await fx.run([...topk8, '-out', out, '-passout', `pass:${PASSWORD}`]);
        if (form === 'PEM')
          expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
        const files = [fx.file(cert), fx.file(`${server}.p8.${form}`), fx.file('chain.pem')];
        expectIdentity(await importAll(files, PASSWORD), server);
      }
    });

    it('PKCS#7 chain, PEM and DER (openssl crl2pkcs7 -nocrl -certfile), + key', async () => {
      const both = [cert, 'chain.pem'].map((name) => readFileSync(fx.path(name), 'utf8')).join('');
      writeFileSync(fx.path(`${server}-certs.pem`), both);
      for (const form of ['PEM', 'DER']) {
        const out = fx.path(`${server}.p7b.${form}`);
        await fx.run([
          'crl2pkcs7',
          '-nocrl',
          '-certfile',
          fx.path(`${server}-certs.pem`),
          '-outform',
          form,
          '-out',
          out,
        ]);
        if (form === 'PEM') expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN PKCS7-----/);
        expectIdentity(await importAll([fx.file(`${server}.p7b.${form}`), fx.file(key)]), server);
      }
    });

    it.each([
      ['default', [], 'PBES2, PBKDF2, AES-256-CBC', 'PBES2, PBKDF2, AES-256-CBC'],
      [
        '-certpbe AES-256-CBC -keypbe AES-256-CBC',
        ['-certpbe', 'AES-256-CBC', '-keypbe', 'AES-256-CBC'],
        'PBES2, PBKDF2, AES-256-CBC',
        'PBES2, PBKDF2, AES-256-CBC',
      ],
      [
        '-descert -keypbe PBE-SHA1-3DES',
        ['-descert', '-keypbe', 'PBE-SHA1-3DES'],
        'pbeWithSHA1And3-KeyTripleDES-CBC',
        'pbeWithSHA1And3-KeyTripleDES-CBC',
      ],
      ['-legacy', ['-legacy'], 'pbeWithSHA1And40BitRC2-CBC', 'pbeWithSHA1And3-KeyTripleDES-CBC'],
    ])(
      'PKCS#12 %s (certificates: %s; key: %s)',
      async (name, options, certificateEncryption, keyEncryption) => {
        const out = `${server}-${name.split(' ')[0]}.pfx`;
        const args = ['pkcs12', '-export', '-inkey', fx.path(key), '-in', fx.path(cert)];
        const output = [
          '-certfile',
          fx.path('chain.pem'),
          '-out',
          fx.path(out),
          '-passout',
          `pass:${PASSWORD}`,
        ];
        await fx.run([...args, ...output, ...options]);
        // The file really is encrypted as its name says (RC2-40 is what Node's OpenSSL 3 cannot read).
        const info = [
          'pkcs12',
          '-info',
          '-noout',
          '-legacy',
          '-in',
          fx.path(out),
          '-passin',
          `pass:${PASSWORD}`,
        ];
        const { stderr } = succeeded(await openssl(info));
        expect(stderr).toContain(`PKCS7 Encrypted data: ${certificateEncryption}`);
        expect(stderr).toContain(`Shrouded Keybag: ${keyEncryption}`);
        expectIdentity(await importAll([fx.file(out)], PASSWORD), server);
      },
      SLOW,
    );
  });

  it('traditional RSA key (openssl rsa -traditional), plain and encrypted, PEM and DER', async () => {
    const traditional = ['rsa', '-traditional', '-in', fx.path('rsa-server.key')];
    await fx.run([...traditional, '-out', fx.path('rsa.trad.pem')]);
    await fx.run([
      ...traditional,
      '-aes256',
      '-passout',
      `pass:${PASSWORD}`,
      '-out',
      fx.path('rsa.trad-enc.pem'),
    ]);
    await fx.run([...traditional, '-outform', 'DER', '-out', fx.path('rsa.trad.der')]);
    expect(readFileSync(fx.path('rsa.trad.pem'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[^-]/);
    expect(readFileSync(fx.path('rsa.trad-enc.pem'), 'utf8')).toMatch(/Proc-Type: 4,ENCRYPTED/);
    for (const keyFile of ['rsa.trad.pem', 'rsa.trad-enc.pem', 'rsa.trad.der']) {
      const files = [fx.file('rsa-server.pem'), fx.file(keyFile), fx.file('chain.pem')];
      expectIdentity(await importAll(files, PASSWORD), 'rsa-server');
    }
  });

  it('traditional EC key (openssl ec), plain, encrypted with -aes256, and DER', async () => {
    await fx.run(['ec', '-in', fx.path('server.key'), '-out', fx.path('ec.trad.pem')]);
    await fx.run([
      'ec',
      '-in',
      fx.path('server.key'),
      '-aes256',
      '-passout',
      `pass:${PASSWORD}`,
      '-out',
      fx.path('ec.trad-enc.pem'),
    ]);
    await fx.run(['ec', '-in', fx.path('server.key'), '-outform', 'DER', '-out', fx.path('ec.trad.der')]);
    expect(readFileSync(fx.path('ec.trad-enc.pem'), 'utf8')).toMatch(
      /^-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC/,
    );
    for (const keyFile of ['ec.trad.pem', 'ec.trad-enc.pem', 'ec.trad.der']) {
      const files = [fx.file('server.pem'), fx.file(keyFile), fx.file('chain.pem')];
      expectIdentity(await importAll(files, PASSWORD), 'server');
    }
  });

  it('PKCS#8 key encrypted with legacy RC2-40 (Node cannot decrypt it; libs/keystore does)', async () => {
    const topk8 = [
      'pkcs8',
      '-topk8',
      '-v1',
      'PBE-SHA1-RC2-40',
      '-provider',
      'legacy',
      '-provider',
      'default',
    ];
    await fx.run([
      ...topk8,
      '-in',
      fx.path('server.key'),
      '-passout',
      `pass:${PASSWORD}`,
      '-out',
      fx.path('rc2.p8'),
    ]);
    const files = [fx.file('server.pem'), fx.file('rc2.p8'), fx.file('chain.pem')];
    expectIdentity(await importAll(files, PASSWORD));
  });

  it('PKCS#12 without the chain, plus the chain as PEM; and with an empty password, none given', async () => {
    const args = ['pkcs12', '-export', '-inkey', fx.path('server.key'), '-in', fx.path('server.pem')];
    await fx.run([...args, '-out', fx.path('leaf-only.p12'), '-passout', `pass:${PASSWORD}`]);
    expectIdentity(await importAll([fx.file('leaf-only.p12'), fx.file('chain.pem')], PASSWORD));
    await fx.run([
      ...args,
      '-certfile',
      fx.path('chain.pem'),
      '-out',
      fx.path('empty.p12'),
      '-passout',
      'pass:',
    ]);
    expectIdentity(await importAll([fx.file('empty.p12')]));
  });

  it('the same certificate and key in several files (a .pfx and the PEM files) count once', async () => {
    const args = ['pkcs12', '-export', '-inkey', fx.path('server.key'), '-in', fx.path('server.pem')];
    await fx.run([
      ...args,
      '-certfile',
      fx.path('chain.pem'),
      '-out',
      fx.path('dup.p12'),
      '-passout',
      `pass:${PASSWORD}`,
    ]);
    const files = [fx.file('dup.p12'), fx.file('server.pem'), fx.file('server.key'), fx.file('chain.pem')];
    expectIdentity(await importAll(files, PASSWORD));
  });

  it('Windows "Base-64" PKCS#7 export: a PKCS#7 inside CERTIFICATE armour', async () => {
    const both = ['server.pem', 'chain.pem'].map((name) => readFileSync(fx.path(name), 'utf8')).join('');
    writeFileSync(fx.path('win-certs.pem'), both);
    await fx.run(['crl2pkcs7', '-nocrl', '-certfile', fx.path('win-certs.pem'), '-out', fx.path('win.p7')]);
    const armoured = readFileSync(fx.path('win.p7'), 'utf8').replace(/PKCS7/g, 'CERTIFICATE');
    expectIdentity(await importAll([write('win.p7b', armoured), fx.file('server.key')]));
  });

  it('file names do not matter: a .pfx named .crt and a key named .p7b', async () => {
    const args = ['pkcs12', '-export', '-inkey', fx.path('server.key'), '-in', fx.path('server.pem')];
    await fx.run([
      ...args,
      '-certfile',
      fx.path('chain.pem'),
      '-out',
      fx.path('named.p12'),
      '-passout',
      `pass:${PASSWORD}`,
    ]);
    expectIdentity(await importAll([fx.file('named.p12', 'server.crt')], PASSWORD));
    expectIdentity(
      await importAll([fx.file('server.pem'), fx.file('server.key', 'key.p7b'), fx.file('chain.pem')]),
    );
  });
});
