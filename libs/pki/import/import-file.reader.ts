import { X509Certificate } from 'node:crypto';
import {
  detectKeystoreType,
  encryptedPkcs8KeyDerivations,
  pkcs12KeyDerivations,
} from '../../keystore/index.js';
import { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
import type { FileContents, FoundCertificate, ImportFile } from './import.types.js';
import { checkKeyDerivations } from './key-derivation.limits.js';
import { looksLikePem, type PemBlock, parsePemBlocks } from './pem.blocks.js';
import { readPkcs12File } from './pkcs12.file-reader.js';
import { readPkcs7Certificates } from './pkcs7.file-reader.js';
import { PRIVATE_KEY_LABELS, readDerPrivateKey, readPemPrivateKey } from './private-key.reader.js';

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);

/** What blocks that hold neither a certificate nor a private key are, for the message when nothing else is found. */
const OTHER_LABELS: Readonly<Record<string, string>> = {
  'CERTIFICATE REQUEST':
    'a certificate signing request, not a certificate: have your CA sign it and import the certificate it returns',
  'NEW CERTIFICATE REQUEST':
    'a certificate signing request, not a certificate: have your CA sign it and import the certificate it returns',
  'PUBLIC KEY': 'only a public key; the private key is needed',
  'RSA PUBLIC KEY': 'only a public key; the private key is needed',
  'X509 CRL': 'a certificate revocation list, not a certificate',
};

/**
 * Reads one file, telling its format by content: PEM (certificates, chains, PKCS#7, keys, any mix), or
 * binary PKCS#12, DER certificate, DER PKCS#7 or DER private key.
 */
export function readImportFile(file: ImportFile, password: string | undefined): FileContents {
  const { name, bytes } = file;
  if (bytes.length === 0) {
    throw new CertificateImportError(CertificateImportErrorCode.UNRECOGNIZED_FORMAT, `${name} is empty`, {
      file: name,
    });
  }
  if (looksLikePem(bytes)) return readPemFile(bytes.toString('utf8'), name, password);
  return readBinaryFile(bytes, name, password);
}

function readBinaryFile(bytes: Buffer, file: string, password: string | undefined): FileContents {
  const keystoreType = detectKeystoreType(bytes);
  if (keystoreType === 'pkcs12') {
    checkKeyDerivations(pkcs12KeyDerivations(bytes), file);
    return readPkcs12File(bytes, file, password);
  }
  if (keystoreType === 'jks') {
    throw new CertificateImportError(
      CertificateImportErrorCode.UNSUPPORTED,
      `${file} is a Java KeyStore (JKS); convert it to PKCS#12 with ` +
        'keytool -importkeystore -srckeystore FILE -destkeystore server.p12 -deststoretype PKCS12',
      { file },
    );
  }
  const certificate = parseCertificate(bytes);
  if (certificate !== undefined) {
    return { certificates: [{ certificate, file, position: 0, ordered: true }], keys: [] };
  }
  const pkcs7 = readPkcs7Certificates(bytes, file);
  if (pkcs7 !== undefined) return { certificates: pkcs7, keys: [] };
  checkKeyDerivations(encryptedPkcs8KeyDerivations(bytes), file);
  const key = readDerPrivateKey(bytes, file, password);
  if (key !== undefined) return { certificates: [], keys: [{ key, file }] };
  throw new CertificateImportError(
    CertificateImportErrorCode.UNRECOGNIZED_FORMAT,
    `${file} is not in a recognized format: expected a certificate (PEM or DER), a private key, ` +
      'a PKCS#12 (.pfx/.p12) or a PKCS#7 (.p7b) file',
    { file },
  );
}

function readPemFile(text: string, file: string, password: string | undefined): FileContents {
  const contents: FileContents = { certificates: [], keys: [] };
  const others: PemBlock[] = [];
  const addCertificates = (found: Omit<FoundCertificate, 'position'>[]) =>
    found.forEach((item) => contents.certificates.push({ ...item, position: contents.certificates.length }));

  for (const block of parsePemBlocks(text)) {
    if (CERTIFICATE_LABELS.has(block.label)) {
      const certificate = parseCertificate(block.der);
      // Windows' "Base-64 encoded" PKCS#7 export wraps the PKCS#7 in CERTIFICATE armour.
      const found = certificate
        ? [{ certificate, file, ordered: true }]
        : readPkcs7Certificates(block.der, file);
      if (found === undefined) {
        throw new CertificateImportError(
          CertificateImportErrorCode.CORRUPT_FILE,
          `certificate ${contents.certificates.length + 1} in ${file} is damaged`,
          { file },
        );
      }
      addCertificates(found);
    } else if (PKCS7_LABELS.has(block.label)) {
      const found = readPkcs7Certificates(block.der, file);
      if (found === undefined) {
        throw new CertificateImportError(
          CertificateImportErrorCode.CORRUPT_FILE,
          `the PKCS#7 block in ${file} is damaged`,
          { file },
        );
      }
      addCertificates(found);
    } else if (PRIVATE_KEY_LABELS.has(block.label)) {
      if (block.label === 'ENCRYPTED PRIVATE KEY') {
        checkKeyDerivations(encryptedPkcs8KeyDerivations(block.der), file);
      }
      contents.keys.push({ key: readPemPrivateKey(block, file, password), file });
    } else if (block.label.endsWith('PRIVATE KEY')) {
      throw new CertificateImportError(
        CertificateImportErrorCode.UNSUPPORTED,
        `${file} holds a private key of a kind that is not supported (${block.label}); ` +
          'convert it to PKCS#8, e.g. with openssl pkcs8 -topk8',
        { file },
      );
    } else {
      others.push(block); // EC PARAMETERS, CSRs, CRLs, public keys: no part of a server identity
    }
  }
  if (contents.certificates.length === 0 && contents.keys.length === 0) {
    const known = others.map((block) => OTHER_LABELS[block.label]).find((what) => what !== undefined);
    throw new CertificateImportError(
      CertificateImportErrorCode.UNRECOGNIZED_FORMAT,
      known
        ? `${file} holds ${known}`
        : `${file} holds no certificate or private key` +
            (others.length > 0 ? ` (only ${others.map((block) => block.label).join(', ')})` : ''),
      { file },
    );
  }
  return contents;
}

function parseCertificate(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}
