export * from './self-signed.js';
