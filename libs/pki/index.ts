export * from './self-signed.js';
export * from './ca/index.js';
export * from './import/index.js';
