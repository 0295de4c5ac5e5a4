export { PropertiesDocument } from './properties.document.js';
export { PropertiesSyntaxError } from './properties.errors.js';
