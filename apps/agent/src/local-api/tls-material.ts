import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** Where the HTTPS levels take their certificate, key and (level 3 with certificates) client CA from. */
export interface TlsSources {
  certFile: string;
  keyFile: string;
  /** `agent`: the agent's client certificate in state/ (waited for); `conf`: agent.local.api.tls.cert. */
  origin: 'agent' | 'conf';
  /** Client CA: a PEM file; `skipLeaf` when it is the agent's chain (leaf, then central's local CA). */
  ca?: { file: string; skipLeaf: boolean };
}

/** What the local API reports about the certificate it serves (GET /status, state/local-api.json). */
export interface ServedCertificate {
  origin: 'agent' | 'conf';
  subject: string;
  notAfter: string;
  /** SHA-256 of the DER certificate, lower-case hex (openssl x509 -fingerprint -sha256). */
  sha256: string;
  /** For pinning: `curl --pinnedpubkey sha256//<this>` (the agent's certificate names no host). */
  publicKeySha256: string;
}

export interface TlsMaterial {
  context: { cert: string; key: string; ca?: string };
  certificate: ServedCertificate;
}

export type TlsLoad = { ok: true; material: TlsMaterial } | { ok: false; waiting: boolean; reason: string };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Changes when any of the files is replaced or rewritten (renames give a new inode). */
export function tlsStamp(sources: TlsSources): string {
  return [sources.certFile, sources.keyFile, sources.ca?.file]
    .filter((f): f is string => f !== undefined)
    .map((file) => {
      try {
        const s = statSync(file);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

/** Reads and checks the files; never throws. `waiting`: the agent's certificate has not come yet. */
export function loadTlsMaterial(sources: TlsSources): TlsLoad {
  try {
    return load(sources);
  } catch (error) {
    // An unreadable file (EACCES, a folder): said as it is, never fatal.
    return { ok: false, waiting: false, reason: (error as Error).message };
  }
}

function load(sources: TlsSources): TlsLoad {
  const cert = readOptional(sources.certFile);
  const key = readOptional(sources.keyFile);
  if (cert === undefined || key === undefined) {
    if (sources.origin === 'agent') {
      return {
        ok: false,
        waiting: true,
        reason:
          "waiting for the agent's client certificate (state/client.crt): central's local CA issues it " +
          'when central asks agents for client certificates (clientAuth optional or required); or set ' +
          'agent.local.api.tls.cert and agent.local.api.tls.key',
      };
    }
    const missing = cert === undefined ? sources.certFile : sources.keyFile;
    return { ok: false, waiting: false, reason: `cannot read ${missing} (agent.local.api.tls.cert/.key)` };
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
    // Throws when the key is not the certificate's ("key values mismatch") or either cannot be read.
    createSecureContext({ cert, key });
  } catch (error) {
    return { ok: false, waiting: false, reason: `${sources.certFile}: ${(error as Error).message}` };
  }
  const context: TlsMaterial['context'] = { cert, key };
  if (sources.ca) {
    const text = readOptional(sources.ca.file);
    const certificates = (text?.match(PEM_CERTIFICATE) ?? []).slice(sources.ca.skipLeaf ? 1 : 0);
    if (certificates.length === 0) {
      return {
        ok: false,
        waiting: sources.ca.skipLeaf,
        reason: sources.ca.skipLeaf
          ? "waiting for central's local CA, which comes with the agent's client certificate (state/client.crt); or set agent.local.api.tls.ca"
          : `${sources.ca.file} holds no PEM certificate (agent.local.api.tls.ca)`,
      };
    }
    context.ca = certificates.join('\n') + '\n';
  }
  return {
    ok: true,
    material: {
      context,
      certificate: {
        origin: sources.origin,
        subject: leaf.subject.replace(/\n/g, ', '),
        notAfter: new Date(leaf.validTo).toISOString(),
        sha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
        publicKeySha256: createHash('sha256')
          .update(leaf.publicKey.export({ type: 'spki', format: 'der' }))
          .digest('base64'),
      },
    },
  };
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
