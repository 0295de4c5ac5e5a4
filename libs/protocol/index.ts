export * from './messages.js';
export * from './close-codes.js';
export * from './frame-parser.js';
export * from './headers.js';
export * from './profile-messages.js';
export * from './profile-refusal.js';
export * from './central-frame.check.js';
export * from './certificate-messages.js';
