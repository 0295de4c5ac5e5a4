// Test helpers: certificates generated per run (no keys or certificates are committed) and wrappers for
// the real Java keytool and OpenSSL. Not exported from index.ts.
import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which needs the Reflect polyfill
import { execFile } from 'node:child_process';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { KeystoreError, type KeystoreErrorCode } from '../keystore.errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const run = promisify(execFile);

/** A self-signed CA certificate (EC P-256 or RSA-2048), DER-encoded. */
export async function createCaCertificate(kind: 'ec' | 'rsa', commonName: string): Promise<Buffer> {
  const algorithm =
    kind === 'ec'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: algorithm,
    keys: keys as x509.X509CertificateCreateSelfSignedParams['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return Buffer.from(certificate.rawData);
}

export const toPem = (der: Buffer): string => new X509Certificate(der).toString();

/** SHA-256 fingerprint as keytool prints it: upper-case hex pairs joined by colons. */
export const sha256Fingerprint = (der: Buffer): string => new X509Certificate(der).fingerprint256;

/** A fresh temporary folder and a function that removes it. */
export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keystore-spec-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function tool(command: string, args: string[]): Promise<ToolResult> {
  // A UTF-8 locale lets keytool take and print non-ASCII aliases and passwords.
  const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  try {
    const { stdout, stderr } = await run(command, args, { env, encoding: 'utf8', maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Runs Java's keytool with English messages. */
export const keytool = (args: string[]): Promise<ToolResult> =>
  tool('keytool', ['-J-Duser.language=en', '-J-Duser.country=US', ...args]);

export const openssl = (args: string[]): Promise<ToolResult> => tool('openssl', args);

/** Throws with the tool's output unless it succeeded. */
export function succeeded(result: ToolResult): ToolResult {
  if (result.code !== 0) throw new Error(`tool failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

export interface KeytoolEntry {
  alias: string;
  entryType: string;
  sha256: string;
}

/** The entries of `keytool -list -v` output. */
export function parseKeytoolListVerbose(stdout: string): KeytoolEntry[] {
  return stdout
    .split(/^Alias name: /m)
    .slice(1)
    .map((block) => ({
      alias: block.split('\n')[0]!.trim(),
      entryType: /^Entry type: (.*)$/m.exec(block)?.[1]?.trim() ?? '',
      sha256: /^\s*SHA256: ([0-9A-F:]+)$/m.exec(block)?.[1] ?? '',
    }));
}

/** Runs `fn` and returns the KeystoreError it throws; fails if it throws anything else or nothing. */
export function keystoreErrorOf(fn: () => unknown): KeystoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeystoreError) return error;
    throw new Error(`expected a KeystoreError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a KeystoreError, nothing was thrown');
}

/** The code of the KeystoreError `fn` throws. */
export const errorCodeOf = (fn: () => unknown): KeystoreErrorCode => keystoreErrorOf(fn).code;

/** The iteration count files are made with when a test raises it afterwards (see `raiseIterationCounts`). */
export const PATCHABLE_ITERATIONS = 65_536;

/**
 * A PKCS#12 or encrypted key made with `-iter 65536` whose every iteration count (the DER INTEGER
 * 02 03 01 00 00) is set to `iterations` (3 bytes, 65,536..8,388,607), so tests get files that ask for
 * millions of iterations without openssl spending 20 s making them. MACs no longer match: for tests of
 * what is refused before any key is derived.
 */
export function raiseIterationCounts(bytes: Buffer, iterations: number): Buffer {
  if (iterations < PATCHABLE_ITERATIONS || iterations > 0x7fffff) throw new Error('3-byte counts only');
  const from = Buffer.from([0x02, 0x03, 0x01, 0x00, 0x00]);
  const to = Buffer.from([0x02, 0x03, iterations >> 16, (iterations >> 8) & 0xff, iterations & 0xff]);
  const out = Buffer.from(bytes);
  let found = 0;
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + from.length)) {
    to.copy(out, at);
    found++;
  }
  if (found === 0) throw new Error(`no iteration count ${PATCHABLE_ITERATIONS} found`);
  return out;
}
