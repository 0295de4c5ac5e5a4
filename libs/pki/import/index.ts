export { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
export type { ImportedServerIdentity, ImportFile, ImportOptions } from './import.types.js';
export { importServerIdentity } from './server-identity.importer.js';
