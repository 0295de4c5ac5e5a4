// A realistic PKI made with the real openssl for each test run (no key is committed): root → intermediate
// → server certificates of several kinds, and the files operators export from it.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, openssl, succeeded } from '../../../keystore/testing/keystore.js';
import type { ImportFile } from '../import.types.js';

export const SERVER_HOSTS = ['central.example', 'agents.apps.example', '10.0.0.5'];

const EXTENSIONS = `
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:central.example, DNS:*.apps.example, IP:10.0.0.5
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_only]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:central.example

[key_encipherment_only]
basicConstraints = CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:central.example

[no_san]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth

[not_a_ca]
basicConstraints = CA:FALSE
subjectAltName = DNS:not-a-ca.example
`;

export interface ImportFixtures {
  dir: string;
  remove: () => void;
  /** A file of the fixtures folder as importServerIdentity takes it. */
  file: (name: string, as?: string) => ImportFile;
  path: (name: string) => string;
  /** Runs openssl with the arguments, failing on a non-zero exit. */
  run: (args: string[]) => Promise<void>;
}

/**
 * Creates, in a temporary folder:
 * - `root.pem` (CN=Example Root), `intermediate.pem` (CN=Example Intermediate), EC P-256, and `chain.pem`
 *   (intermediate then root);
 * - server certificates signed by the intermediate, each `<name>.pem` with its key `<name>.key` (PKCS#8):
 *   `server` (EC), `rsa-server` (RSA-2048), `weak` (RSA-1024), `client-only` (EKU clientAuth),
 *   `key-encipherment` (RSA, keyUsage keyEncipherment only), `no-san` (no subjectAltName);
 * - `impostor-intermediate.pem`: CN=Example Intermediate again, with another key;
 * - `not-a-ca.pem` (CA:FALSE) and `issued-by-not-a-ca.pem` signed by it, key `issued-by-not-a-ca.key`.
 */
export async function createImportFixtures(): Promise<ImportFixtures> {
  const { dir, remove } = makeTempDir();
  const path = (name: string) => join(dir, name);
  const run = async (args: string[]) => void succeeded(await openssl(args));
  writeFileSync(path('ext.cnf'), EXTENSIONS);

  const ecKey = (name: string) =>
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(`${name}.key`)]);
  const rsaKey = (name: string, bits: number) =>
    run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', path(`${name}.key`)]);
  /** Signs `<name>.key` as `<name>.pem` with the issuer's key (`issuer` itself for a self-signed one). */
  const certify = async (name: string, subject: string, issuer: string, section: string, days = 365) => {
    await run(['req', '-new', '-key', path(`${name}.key`), '-subj', subject, '-out', path(`${name}.csr`)]);
    const signer =
      issuer === name
        ? ['-signkey', path(`${name}.key`)]
        : ['-CA', path(`${issuer}.pem`), '-CAkey', path(`${issuer}.key`)];
    await run([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      ...signer,
      '-days',
      String(days),
      '-sha256',
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-extfile',
      path('ext.cnf'),
      '-extensions',
      section,
      '-out',
      path(`${name}.pem`),
    ]);
  };

  await Promise.all([
    ecKey('root'),
    ecKey('intermediate'),
    ecKey('impostor-intermediate'),
    ecKey('server'),
    ecKey('client-only'),
    ecKey('no-san'),
    ecKey('not-a-ca'),
    ecKey('issued-by-not-a-ca'),
    rsaKey('rsa-server', 2048),
    rsaKey('key-encipherment', 2048),
    rsaKey('weak', 1024),
  ]);
  await certify('root', '/CN=Example Root/O=Example', 'root', 'root', 3650);
  await certify('intermediate', '/CN=Example Intermediate/O=Example', 'root', 'intermediate', 1825);
  await certify('impostor-intermediate', '/CN=Example Intermediate/O=Example', 'root', 'intermediate');
  await Promise.all([
    certify('server', '/CN=central.example', 'intermediate', 'server'),
    certify('rsa-server', '/CN=central.example', 'intermediate', 'server'),
    certify('weak', '/CN=weak.example', 'intermediate', 'server'),
    certify('client-only', '/CN=client.example', 'intermediate', 'client_only'),
    certify('key-encipherment', '/CN=key-encipherment.example', 'intermediate', 'key_encipherment_only'),
    certify('no-san', '/CN=central.example', 'intermediate', 'no_san'),
    certify('not-a-ca', '/CN=Not A CA', 'intermediate', 'not_a_ca'),
  ]);
  await certify('issued-by-not-a-ca', '/CN=issued-by-not-a-ca.example', 'not-a-ca', 'server');
  const chain = readFileSync(path('intermediate.pem'), 'utf8') + readFileSync(path('root.pem'), 'utf8');
  writeFileSync(path('chain.pem'), chain);

  return {
    dir,
    remove,
    path,
    run,
    file: (name, as = name) => ({ name: as, bytes: readFileSync(path(name)) }),
  };
}
