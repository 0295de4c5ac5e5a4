import { createPrivateKey, X509Certificate } from 'node:crypto';
import { KeystoreError, KeystoreErrorCode, readPkcs12KeyStore } from '../../keystore/index.js';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import type { FileContents } from './import.types.js';

/**
 * Reads the keys and certificates of a PKCS#12 file (`.pfx`, `.p12`): AES, 3DES and legacy RC2-40
 * exports. No password given means the empty password, which some exports use.
 */
export function readPkcs12File(bytes: Buffer, file: string, password: string | undefined): FileContents {
  let contents;
  try {
    contents = readPkcs12KeyStore(bytes, password ?? '');
  } catch (error) {
    throw translate(error, file, password);
  }
  return {
    keys: contents.keys.map(({ pkcs8Der, localKeyId }) => {
      try {
        return { key: createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' }), file, localKeyId };
      } catch (error) {
        throw new CertificateImportError(
          CertificateImportErrorCode.CORRUPT_FILE,
          `the private key in ${file} is damaged or of a kind that cannot be read`,
          { cause: error, file },
        );
      }
    }),
    certificates: contents.certificates.map(({ der, localKeyId }, position) => {
      try {
        return { certificate: new X509Certificate(der), file, position, ordered: false, localKeyId };
      } catch (error) {
        throw new CertificateImportError(
          CertificateImportErrorCode.CORRUPT_FILE,
          `certificate ${position + 1} in ${file} is damaged`,
          { cause: error, file },
        );
      }
    }),
  };
}

function translate(error: unknown, file: string, password: string | undefined): unknown {
  if (!(error instanceof KeystoreError)) return error;
  const options = { cause: error, file };
  switch (error.code) {
    case KeystoreErrorCode.WRONG_PASSWORD:
      return password === undefined || password === ''
        ? new CertificateImportError(
            CertificateImportErrorCode.PASSWORD_REQUIRED,
            `${file} is protected by a password: give its password`,
            options,
          )
        : new CertificateImportError(
            CertificateImportErrorCode.WRONG_PASSWORD,
            `the password for ${file} is wrong`,
            options,
          );
    case KeystoreErrorCode.CORRUPT:
    case KeystoreErrorCode.EMPTY:
      return new CertificateImportError(
        CertificateImportErrorCode.CORRUPT_FILE,
        `${file} is a damaged PKCS#12 file (${error.message})`,
        options,
      );
    case KeystoreErrorCode.UNSUPPORTED_TYPE:
    case KeystoreErrorCode.UNSUPPORTED_ENTRY:
      return new CertificateImportError(
        CertificateImportErrorCode.UNSUPPORTED,
        `${file} is a PKCS#12 file of a kind that is not supported: ${error.message}`,
        options,
      );
  }
}
