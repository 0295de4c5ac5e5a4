export * from './agent-identity.js';
export * from './ca.errors.js';
export * from './certificate.signer.js';
export * from './client-csr.js';
export { normalizeSerial } from './key-pem.js';
export * from './local-ca.generator.js';
