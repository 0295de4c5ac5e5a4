import {
  CertificateImportError,
  checkImportCosts,
  type ImportFile,
  type ImportedServerIdentity,
} from '../../../../libs/pki/index.js';
import { DomainError } from '../common/domain-error.js';
import { importInWorker } from './certificate-import.thread.js';

/**
 * Limits on what an operator can upload in one import (API, certmgr and drop-in folder alike). Key
 * derivation costs are capped by libs/pki (KEY_DERIVATION_LIMITS); what passes them runs in a worker
 * thread that is stopped after `workerTimeoutMs` (a legacy PKCS#12 at the iteration cap takes ~20 s here).
 */
export const IMPORT_LIMITS = { files: 8, bytesPerFile: 1024 * 1024, workerTimeoutMs: 60_000 } as const;

/**
 * Runs the import checks of libs/pki and turns a refusal into the API's error: 400
 * `certificate_rejected` with the operator-readable message and the machine-readable `reason`.
 * `hosts` are the names agents use; with none configured the SAN is not checked (and a warning says so).
 */
export async function checkImport(
  files: ImportFile[],
  password: string | undefined,
  hosts: string[],
): Promise<ImportedServerIdentity> {
  if (files.length === 0) {
    throw new DomainError('certificate_upload_invalid', 'no file was uploaded', { reason: 'no_files' });
  }
  if (files.length > IMPORT_LIMITS.files) {
    throw new DomainError(
      'certificate_upload_invalid',
      `${files.length} files uploaded; at most ${IMPORT_LIMITS.files} (certificate, key, chain) are accepted`,
      { reason: 'too_many_files' },
    );
  }
  const big = files.find((f) => f.bytes.length > IMPORT_LIMITS.bytesPerFile);
  if (big) {
    throw new DomainError(
      'certificate_upload_invalid',
      `${big.name} is ${big.bytes.length} bytes; certificate files larger than 1 MiB are not accepted`,
      { reason: 'file_too_large' },
    );
  }
  try {
    // Costly files are refused here, in milliseconds; what passes is read off the main thread.
    checkImportCosts(files);
    // Off the main thread: deriving keys can take seconds, and agents' heartbeats must not wait.
    const imported = await importInWorker(files, {
      password,
      hosts,
      timeoutMs: IMPORT_LIMITS.workerTimeoutMs,
    });
    if (hosts.length === 0) {
      imported.warnings.push(
        'the certificate names were not checked against the host names agents use: set SWITCHYARD_AGENT_HOSTS',
      );
    }
    return imported;
  } catch (error) {
    if (error instanceof CertificateImportError) {
      throw new DomainError('certificate_unusable', error.message, {
        reason: error.code.toLowerCase(),
      });
    }
    throw error;
  }
}
