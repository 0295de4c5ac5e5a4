export * from './messages.js';
export * from './close-codes.js';
export * from './frame-parser.js';
export * from './headers.js';
export * from './profile-messages.js';
export * from './trust-messages.js';
export * from './profile-fetch-messages.js';
