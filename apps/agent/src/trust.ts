import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { KeystoreError, readTruststore, type TrustedCertificate } from '../../../libs/keystore/index.js';
import type { AgentHome } from './agent-home.js';

export interface TruststoreSettings {
  path: string;
  password: string;
  type: 'jks' | 'pkcs12';
}

export type TruststoreReader = (
  bytes: Buffer,
  password: string,
  type?: 'jks' | 'pkcs12',
) => TrustedCertificate[];

/** The truststore could not be used; the message names the file and says why. */
export class TrustError extends Error {
  override readonly name = 'TrustError';
}

/**
 * The CAs the agent trusts for wss://, as PEM: exactly those in the configured truststore (a Java agent
 * would use the same file). Never the system store, so a profile decides whom the agent trusts.
 * `home` resolves agent.conf's relative path (the agent home, or a staged profile's tree).
 */
export function loadTrustedCaPems(
  settings: TruststoreSettings,
  home: Pick<AgentHome, 'resolve'>,
  read: TruststoreReader = readTruststore,
): string[] {
  const path = home.resolve(settings.path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TrustError(`truststore ${path} cannot be read (${code})`);
  }
  return trustedCaPemsOf(bytes, settings, path, read);
}

/** The CAs of truststore bytes already in memory (`path` only names them in messages). */
export function trustedCaPemsOf(
  bytes: Buffer,
  settings: Omit<TruststoreSettings, 'path'>,
  path: string,
  read: TruststoreReader = readTruststore,
): string[] {
  let certificates: TrustedCertificate[];
  try {
    certificates = read(bytes, settings.password, settings.type);
  } catch (error) {
    const reason = error instanceof KeystoreError ? error.message : String(error);
    throw new TrustError(`truststore ${path}: ${reason}`);
  }
  return certificates.map(({ der }) => new X509Certificate(der).toString());
}
