import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { agentIdOfCertificate } from '../../../libs/pki/index.js';
import type { AgentHome } from './agent-home.js';
import { ensureDirectory, writeFileAtomic } from './atomic-file.js';
import { CREDENTIAL_FILE_MODE, STATE_DIR_MODE } from './credential-store.js';

/** A client certificate the agent holds, with the facts the runner decides on. */
export interface ClientCertificate {
  keyPem: string;
  /** Leaf first, then the local CA. */
  chainPem: string;
  agentId: string | undefined;
  notAfter: Date;
}

const CERTIFICATE_FILE_MODE = 0o644;

/**
 * The agent's client certificate for mutual TLS: `state/client.key` (0600) and `state/client.crt`.
 * The key is written before the certificate, so a crash between the two leaves no certificate without its key.
 */
export class ClientCertificateStore {
  constructor(private readonly home: AgentHome) {}

  /** The stored certificate, or undefined when there is none (or only half of one). */
  read(): ClientCertificate | undefined {
    const keyPem = readOptional(this.home.clientKeyFile);
    const chainPem = readOptional(this.home.clientCertificateFile);
    if (keyPem === undefined || chainPem === undefined) return undefined;
    const leaf = new X509Certificate(chainPem);
    return { keyPem, chainPem, agentId: agentIdOfCertificate(leaf), notAfter: new Date(leaf.validTo) };
  }

  /** Stores a chain issued for `keyPem`; refuses one that does not carry this key (a mix-up must not be kept). */
  write(keyPem: string, chainPem: string): ClientCertificate {
    const leaf = new X509Certificate(chainPem);
    const publicOfKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(publicOfKey)) {
      throw new Error('the certificate central sent does not match the key this agent generated');
    }
    ensureDirectory(this.home.stateDir, STATE_DIR_MODE);
    writeFileAtomic(this.home.clientKeyFile, keyPem, CREDENTIAL_FILE_MODE);
    writeFileAtomic(this.home.clientCertificateFile, chainPem, CERTIFICATE_FILE_MODE);
    return { keyPem, chainPem, agentId: agentIdOfCertificate(leaf), notAfter: new Date(leaf.validTo) };
  }

  /** Moves a revoked certificate aside (kept for the operator to look at, never presented again). */
  retire(): void {
    for (const file of [this.home.clientCertificateFile, this.home.clientKeyFile]) {
      try {
        renameSync(file, file + '.revoked');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
