import { summarizeCertificate } from '../self-signed.js';
import { buildCertificateChain } from './certificate-chain.builder.js';
import { readImportFile } from './import-file.reader.js';
import type { FileContents, ImportedServerIdentity, ImportFile, ImportOptions } from './import.types.js';
import { selectServerKey } from './server-key.selector.js';
import { loadX509 } from '../x509.loader.js';
import {
  checkHosts,
  checkKeyStrength,
  checkServerUsage,
  checkValidity,
} from './server-certificate.checks.js';

/**
 * Imports central's server identity from whatever files an operator has: PKCS#12 (`.pfx`, `.p12`; AES, 3DES
 * or legacy RC2-40), PKCS#7 (`.p7b`, PEM or DER), certificates (`.cer`, `.crt`, PEM or DER, chains as PEM
 * concatenations) and private keys (PKCS#8, encrypted or not; traditional RSA and EC, encrypted or not;
 * PEM or DER), in any mix and any order. Formats are told by content, not by file name.
 *
 * Checks that the key belongs to the certificate, orders the chain up to a self-signed root (agents need
 * the root in their truststores) verifying each signature, and that the server certificate is valid now,
 * may be used by a TLS server, covers `options.hosts` and has an RSA key of at least 2048 bits (or an EC
 * key). Nothing is stored: the caller installs the result.
 *
 * @throws CertificateImportError with a code and a message in operators' words, naming the file where
 *   that helps.
 */
export async function importServerIdentity(
  files: ImportFile[],
  options: ImportOptions = {},
): Promise<ImportedServerIdentity> {
  const now = options.now ?? new Date();
  await loadX509(); // the PKCS#7 reader and the key usage check read with it
  const contents: FileContents[] = files.map((file) => readImportFile(file, options.password));
  const certificates = contents.flatMap((content) => content.certificates);
  const keys = contents.flatMap((content) => content.keys);

  const selected = selectServerKey(
    certificates,
    keys,
    files.map((file) => file.name),
  );
  const leaf = selected.leaf.certificate;
  checkKeyStrength(selected.key.key, leaf);
  const built = buildCertificateChain(selected.leaf, certificates);
  const chain = built.chain.map((found) => found.certificate);
  const validityWarnings = checkValidity(chain, now);
  checkServerUsage(leaf);
  checkHosts(leaf, options.hosts ?? []);

  const chainPem = chain.map((certificate) => certificate.toString().trim() + '\n').join('');
  return {
    chainPem,
    keyPem: selected.key.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    summary: summarizeCertificate(chainPem, now),
    warnings: [...built.warnings, ...selected.warnings, ...validityWarnings],
  };
}
