import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A root CA and a server certificate it signed, made by the real openssl in a test's temp folder. */
export interface ServerChainFixture {
  rootPem: string;
  leafPem: string;
  leafKeyPem: string;
  leafPath: string;
  keyPath: string;
  rootPath: string;
  /** The leaf + key + root as a PKCS#12 file protected by `password`. */
  pkcs12(password: string, name?: string): { path: string; bytes: Buffer };
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** EC P-256 keys (fast); `name` keeps several chains apart in one folder. */
export function makeServerChain(dir: string, hosts: string[], name = 'server'): ServerChainFixture {
  const f = (suffix: string) => join(dir, `${name}-${suffix}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', f('root.key'), '-out', f('root.pem'), '-days', '30'].concat([
      '-subj',
      `/CN=${name} test root/O=Switchyard tests`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    dir,
  );
  openssl(['req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=${hosts[0]}`], dir);
  const san = hosts.map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(
    f('leaf.ext'),
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`,
  );
  openssl(
    ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key')].concat([
      '-CAcreateserial',
      '-days',
      '20',
      '-extfile',
      f('leaf.ext'),
      '-out',
      f('leaf.pem'),
    ]),
    dir,
  );
  return {
    rootPem: readFileSync(f('root.pem'), 'utf8'),
    leafPem: readFileSync(f('leaf.pem'), 'utf8'),
    leafKeyPem: readFileSync(f('leaf.key'), 'utf8'),
    leafPath: f('leaf.pem'),
    keyPath: f('leaf.key'),
    rootPath: f('root.pem'),
    pkcs12(password: string, file = `${name}.pfx`) {
      const path = join(dir, file);
      openssl(
        [
          'pkcs12',
          '-export',
          '-inkey',
          f('leaf.key'),
          '-in',
          f('leaf.pem'),
          '-certfile',
          f('root.pem'),
        ].concat(['-out', path, '-passout', `pass:${password}`]),
        dir,
      );
      return { path, bytes: readFileSync(path) };
    },
  };
}
