import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import {
  detectTruststoreContent,
  KeystoreError,
  KeystoreErrorCode,
  readTruststore,
  type TrustedCertificate,
  type TruststoreContent,
} from '../../../libs/keystore/index.js';
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

/** The truststore could not be used; the message names the file, says why and how to fix it. */
export class TrustError extends Error {
  override readonly name = 'TrustError';
}

/** The CAs of a truststore, and what is worth telling about how it was read. */
export interface TrustedCas {
  caPems: string[];
  /** Set when the content is of another format than the declared type (read by content, like Java). */
  declaredTypeDiffers?: { declared: string; actual: string };
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
  return readTrustedCas(readTruststoreFile(path), settings, path, read).caPems;
}

/** The bytes of the truststore at `path`; a TrustError naming the file and the fix if it cannot be read. */
export function readTruststoreFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TrustError(unreadableFile(path, code));
  }
}

/** The CAs of truststore bytes already in memory (`path` only names them in messages). */
export function trustedCaPemsOf(
  bytes: Buffer,
  settings: Omit<TruststoreSettings, 'path'>,
  path: string,
  read: TruststoreReader = readTruststore,
): string[] {
  return readTrustedCas(bytes, settings, path, read).caPems;
}

/**
 * Reads a truststore by its content, as Java does: keytool on JDK 9+ writes PKCS#12 even into
 * `truststore.jks`, and Java opens it with `trustStoreType=JKS`. The declared type decides nothing; a
 * difference is reported so it can be logged. JCEKS and PEM are refused with the conversion that fixes
 * them: Java would not open them with the types agent.conf allows either.
 */
export function readTrustedCas(
  bytes: Buffer,
  settings: Omit<TruststoreSettings, 'path'>,
  path: string,
  read: TruststoreReader = readTruststore,
): TrustedCas {
  const content = detectTruststoreContent(bytes);
  if (content === 'jceks' || content === 'pem') throw new TrustError(refusedContent(path, content));
  let certificates: TrustedCertificate[];
  try {
    // Unrecognised content: the reader says what is wrong with it (empty, truncated, unknown header).
    certificates = read(bytes, settings.password, content);
  } catch (error) {
    throw new TrustError(unreadableStore(path, error));
  }
  const caPems = certificates.map(({ der }) => new X509Certificate(der).toString());
  return content !== undefined && content !== settings.type
    ? { caPems, declaredTypeDiffers: { declared: typeName(settings.type), actual: typeName(content) } }
    : { caPems };
}

const typeName = (type: TruststoreContent): string =>
  ({ jks: 'JKS', jceks: 'JCEKS', pkcs12: 'PKCS12', pem: 'PEM' })[type];

const PATH_FIX = 'point -Djavax.net.ssl.trustStore in jetty.jvm.args at the truststore';

function unreadableFile(path: string, code: string): string {
  switch (code) {
    case 'ENOENT':
      return `truststore ${path} does not exist — put the truststore there, or ${PATH_FIX}`;
    case 'EACCES':
    case 'EPERM':
      return `truststore ${path} cannot be read (${code}) — let the agent's user read it (chmod/chown)`;
    case 'EISDIR':
      return `truststore ${path} is a folder — ${PATH_FIX} file`;
    default:
      return `truststore ${path} cannot be read (${code}) — check the file and ${PATH_FIX}`;
  }
}

function refusedContent(path: string, content: 'jceks' | 'pem'): string {
  return content === 'jceks'
    ? `truststore ${path} is a JCEKS keystore, which Java opens only as JCEKS — convert it: keytool -importkeystore -srckeystore ${path} -srcstoretype JCEKS -destkeystore truststore.p12 -deststoretype PKCS12`
    : `truststore ${path} is PEM text, which Java does not open as a truststore — import the certificate: keytool -importcert -noprompt -alias central -file ca.pem -keystore ${path}`;
}

function unreadableStore(path: string, error: unknown): string {
  if (!(error instanceof KeystoreError)) return `truststore ${path}: ${String(error)}`;
  switch (error.code) {
    case KeystoreErrorCode.WRONG_PASSWORD:
      return `truststore ${path}: keystore password was incorrect (or the file was altered) — set -Djavax.net.ssl.trustStorePassword in jetty.jvm.args to the store's password`;
    case KeystoreErrorCode.CORRUPT:
      return `truststore ${path} is damaged: ${error.message} — replace it with a truststore that keytool -list opens`;
    case KeystoreErrorCode.EMPTY:
      return `truststore ${path}: ${error.message} — import central's CA: keytool -importcert -noprompt -alias central -file ca.pem -keystore ${path}`;
    case KeystoreErrorCode.UNSUPPORTED_ENTRY:
      return `truststore ${path}: ${error.message} — keep only trusted certificates in it`;
    case KeystoreErrorCode.UNSUPPORTED_TYPE:
      return `truststore ${path}: ${error.message} — use a JKS or PKCS#12 truststore (keytool -importcert writes one)`;
  }
}
