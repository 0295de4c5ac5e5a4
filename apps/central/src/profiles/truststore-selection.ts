// A profile's truststore selection is part of the wire types (libs/api): the request schema checks it.
export {
  DEFAULT_ALIASES,
  DEFAULT_TRUSTSTORE,
  truststoreSelectionSchema,
  type TruststoreEntry,
} from '../../../../libs/api/profile-truststore.js';
