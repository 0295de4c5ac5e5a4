// Issue 14, point 9: a 1 KB PFX made with `openssl pkcs12 -export -iter 5000000` froze central for 17–31 s
// while the key derivation ran. Files that ask for more than central accepts are refused before deriving.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeTempDir,
  openssl,
  PATCHABLE_ITERATIONS,
  raiseIterationCounts,
  succeeded,
} from '../../keystore/testing/keystore.js';
import { importServerIdentity, type ImportFile } from '../index.js';

const PASSWORD = 'pfx-Secret 1';
const HOSTS = ['central.example'];
// One PBKDF2-SHA256 derivation at 5,000,000 iterations takes about 2 s on this 2-core box, and a PKCS#12
// needs several: a refusal under this bound cannot have derived anything, with margin for a loaded CI run.
const SOONER_THAN_ONE_DERIVATION_MS = 1500;

describe('importServerIdentity: key derivation limits', () => {
  const { dir, remove } = makeTempDir();
  const path = (name: string) => join(dir, name);
  const file = (name: string): ImportFile => ({ name, bytes: readFileSync(path(name)) });
  const run = async (args: string[]) => void succeeded(await openssl(args));
  const refusal = async (files: ImportFile[]) => {
    const started = Date.now();
    const error = await importServerIdentity(files, { password: PASSWORD, hosts: HOSTS }).catch(
      (e: unknown) => e as { code: string; message: string },
    );
    return { error, ms: Date.now() - started };
  };

  beforeAll(async () => {
    await run([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
      '-subj', '/CN=central.example', '-addext', 'subjectAltName=DNS:central.example',
      '-addext', 'extendedKeyUsage=serverAuth', '-keyout', path('server.key'), '-out', path('server.pem'),
    ]); // prettier-ignore
    const pfx = (name: string, extra: string[]) =>
      run([
        'pkcs12', '-export', '-in', path('server.pem'), '-inkey', path('server.key'),
        '-passout', `pass:${PASSWORD}`, '-out', path(name), ...extra,
      ]); // prettier-ignore
    const pkcs8 = (name: string, extra: string[]) =>
      run([
        'pkcs8', '-topk8', '-in', path('server.key'), '-passout', `pass:${PASSWORD}`, '-out', path(name),
        ...extra,
      ]); // prettier-ignore
    // openssl needs ~20 s to make a file with 5,000,000 iterations here: they are made with 65,536 and
    // their counts raised to 5,000,000 afterwards.
    const iter = ['-iter', String(PATCHABLE_ITERATIONS)];
    await Promise.all([
      pfx('costly.pfx', iter),
      pfx('costly-legacy.pfx', ['-legacy', ...iter]),
      pfx('fine.pfx', ['-iter', '20000']),
      pkcs8('costly.key', ['-v2', 'aes-256-cbc', ...iter, '-outform', 'DER']),
      pkcs8('costly-der.key', ['-v2', 'aes-256-cbc', ...iter, '-outform', 'DER']),
      pkcs8('scrypt-p.key', ['-scrypt', '-scrypt_N', '1024', '-scrypt_r', '8', '-scrypt_p', '17']),
      pkcs8('scrypt.key', ['-scrypt']),
    ]);
    for (const name of ['costly.pfx', 'costly-legacy.pfx', 'costly.key', 'costly-der.key']) {
      writeFileSync(path(name), raiseIterationCounts(readFileSync(path(name)), 5_000_000));
    }
    // the PEM variant: the same DER, armoured
    const der = readFileSync(path('costly.key')).toString('base64').replace(/.{64}/g, '$&\n');
    writeFileSync(
      path('costly.key'),
      `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${der}\n-----END ENCRYPTED PRIVATE KEY-----\n`,
    );
  }, 120_000);
  afterAll(() => remove());

  it('refuses a PKCS#12 with 5,000,000 iterations at once, naming the figure', async () => {
    const { error, ms } = await refusal([file('costly.pfx')]);
    expect(error).toMatchObject({
      code: 'TOO_COSTLY',
      message: expect.stringMatching(
        /^costly\.pfx: PKCS#12 MAC uses 5000000 iterations; at most 1000000 are accepted/,
      ),
    });
    expect(ms).toBeLessThan(SOONER_THAN_ONE_DERIVATION_MS);
  });

  it('refuses the -legacy variant too (before its MAC, safes and key are derived)', async () => {
    const { error, ms } = await refusal([file('costly-legacy.pfx')]);
    expect(error).toMatchObject({
      code: 'TOO_COSTLY',
      message: expect.stringContaining('5000000 iterations'),
    });
    expect(ms).toBeLessThan(SOONER_THAN_ONE_DERIVATION_MS);
  });

  it('refuses encrypted PKCS#8 keys (PEM and DER) with too many PBKDF2 iterations, and scrypt above its caps', async () => {
    for (const key of ['costly.key', 'costly-der.key']) {
      const { error, ms } = await refusal([file('server.pem'), file(key)]);
      expect(error).toMatchObject({
        code: 'TOO_COSTLY',
        message: `${key}: private key uses 5000000 iterations; at most 1000000 are accepted (export it again with fewer, e.g. openssl pkcs12 -export -iter 10000)`,
      });
      expect(ms).toBeLessThan(SOONER_THAN_ONE_DERIVATION_MS);
    }
    const { error } = await refusal([file('server.pem'), file('scrypt-p.key')]);
    expect(error).toMatchObject({
      code: 'TOO_COSTLY',
      message: 'scrypt-p.key: private key uses scrypt with p=17; at most 16 is accepted',
    });
  });

  it('still imports files within the limits (PKCS#12 with 20,000 iterations, scrypt key with OpenSSL defaults)', async () => {
    const options = { password: PASSWORD, hosts: HOSTS };
    expect((await importServerIdentity([file('fine.pfx')], options)).summary.subject).toBe(
      'CN=central.example',
    );
    const scrypt = await importServerIdentity([file('server.pem'), file('scrypt.key')], options);
    expect(scrypt.summary.subject).toBe('CN=central.example');
  });
});
