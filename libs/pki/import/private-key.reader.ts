import { createPrivateKey, type KeyObject } from 'node:crypto';
import { decryptPkcs8PrivateKey, KeystoreError, KeystoreErrorCode } from '../../keystore/index.js';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import type { PemBlock } from './pem.blocks.js';

/** PEM labels of the private keys read: PKCS#8 (plain or encrypted) and traditional RSA and EC. */
export const PRIVATE_KEY_LABELS: ReadonlySet<string> = new Set([
  'PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'RSA PRIVATE KEY',
  'EC PRIVATE KEY',
]);

/**
 * Reads a private-key PEM block: PKCS#8, encrypted PKCS#8 (PBES2 through Node's OpenSSL; RC2 and the
 * other PKCS#12 schemes through libs/keystore), traditional RSA or EC, encrypted with Proc-Type/DEK-Info
 * or not.
 */
export function readPemPrivateKey(block: PemBlock, file: string, password: string | undefined): KeyObject {
  const encrypted =
    block.label === 'ENCRYPTED PRIVATE KEY' || (block.headers['Proc-Type'] ?? '').includes('ENCRYPTED');
  if (!encrypted) return parse(file, () => createPrivateKey(block.text));
  const passphrase = requirePassword(file, password);
  if (block.label === 'ENCRYPTED PRIVATE KEY') return readEncryptedPkcs8(block.der, file, passphrase);
  try {
    return createPrivateKey({ key: block.text, passphrase });
  } catch (error) {
    // A traditional key has no integrity check: a wrong password fails the padding or yields garbage.
    throw wrongPassword(file, error);
  }
}

/** Reads a DER private key (PKCS#8 plain or encrypted, PKCS#1 RSA, SEC1 EC); undefined when it is none. */
export function readDerPrivateKey(
  bytes: Buffer,
  file: string,
  password: string | undefined,
): KeyObject | undefined {
  try {
    return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  } catch (error) {
    if (codeOf(error) === 'ERR_MISSING_PASSPHRASE') {
      return readEncryptedPkcs8(bytes, file, requirePassword(file, password));
    }
  }
  for (const type of ['pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: bytes, format: 'der', type });
    } catch {
      // not this one
    }
  }
  return undefined;
}

function readEncryptedPkcs8(der: Buffer, file: string, passphrase: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase });
  } catch (error) {
    if (codeOf(error) === 'ERR_OSSL_BAD_DECRYPT') throw wrongPassword(file, error);
    // Node's OpenSSL 3 lacks RC2 and friends; garbage from a wrong password also lands here.
  }
  let pkcs8: Buffer;
  try {
    pkcs8 = decryptPkcs8PrivateKey(der, passphrase);
  } catch (error) {
    if (!(error instanceof KeystoreError)) throw error;
    if (error.code === KeystoreErrorCode.WRONG_PASSWORD) throw wrongPassword(file, error);
    if (error.code === KeystoreErrorCode.UNSUPPORTED_TYPE) {
      throw new CertificateImportError(
        CertificateImportErrorCode.UNSUPPORTED,
        `the private key in ${file} is encrypted in a way that is not supported (${error.message}); ` +
          'convert it, e.g. with openssl pkcs8 -topk8 -v2 aes-256-cbc',
        { cause: error, file },
      );
    }
    throw damaged(file, error);
  }
  return parse(file, () => createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
}

function requirePassword(file: string, password: string | undefined): string {
  if (password === undefined || password === '') {
    throw new CertificateImportError(
      CertificateImportErrorCode.PASSWORD_REQUIRED,
      `the private key in ${file} is encrypted: give its password`,
      { file },
    );
  }
  return password;
}

function parse(file: string, read: () => KeyObject): KeyObject {
  try {
    return read();
  } catch (error) {
    throw damaged(file, error);
  }
}

const wrongPassword = (file: string, cause: unknown) =>
  new CertificateImportError(CertificateImportErrorCode.WRONG_PASSWORD, `the password for ${file} is wrong`, {
    cause,
    file,
  });

const damaged = (file: string, cause: unknown) =>
  new CertificateImportError(
    CertificateImportErrorCode.CORRUPT_FILE,
    `the private key in ${file} is damaged or of a kind that cannot be read`,
    { cause, file },
  );

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | undefined)?.code;
