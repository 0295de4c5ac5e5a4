export type { TrustedCertificate, TruststoreType } from './truststore.types.js';
export { KeystoreError, KeystoreErrorCode } from './keystore.errors.js';
export { detectKeystoreType } from './keystore-type.detector.js';
export { detectTruststoreContent, type TruststoreContent } from './truststore-content.detector.js';
export { readTruststore } from './truststore.reader.js';
export { writeJksTruststore } from './jks.writer.js';
export { writePkcs12Truststore } from './pkcs12.writer.js';
export type {
  Pkcs12Certificate,
  Pkcs12KeyStoreContents,
  Pkcs12PrivateKey,
} from './pkcs12.keystore-reader.js';
export { decryptPkcs8PrivateKey, readPkcs12KeyStore } from './pkcs12.keystore-reader.js';
export type { KeyDerivation } from './key-derivation.costs.js';
export { encryptedPkcs8KeyDerivations, pkcs12KeyDerivations } from './key-derivation.costs.js';
