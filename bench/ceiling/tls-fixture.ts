/** The ceiling servers' certificate, made per run by openssl: ECDSA P-256 like central's own. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFixture {
  keyFile: string;
  certFile: string;
  /** The self-signed certificate, which the swarm trusts as its CA. */
  certPem: string;
}

/** Writes key.pem (mode 0600) and cert.pem into `dir`, for `localhost` and 127.0.0.1. */
export function makeTlsFixture(dir: string): TlsFixture {
  const keyFile = join(dir, 'ceiling-key.pem');
  const certFile = join(dir, 'ceiling-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { keyFile, certFile, certPem: readFileSync(certFile, 'utf8') };
}
