export { CertificateImportError, CertificateImportErrorCode } from './certificate-import.errors.js';
export type { ImportedServerIdentity, ImportFile, ImportOptions } from './import.types.js';
export { importServerIdentity } from './server-identity.importer.js';
export { checkImportCosts, KEY_DERIVATION_LIMITS } from './key-derivation.limits.js';
