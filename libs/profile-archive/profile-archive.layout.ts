/** Names of the two entries that describe and authenticate a profile archive; no profile file may use them. */
export const MANIFEST_NAME = 'manifest.json';
export const SIGNATURE_NAME = 'manifest.sig';

/** Version of the manifest layout; bumped on any change an older agent could misread. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Ed25519 signatures are always 64 bytes; manifest.sig holds them raw. */
export const SIGNATURE_BYTES = 64;

/**
 * Unix file mode written into every entry's external attributes (regular file, rw-r--r--). The real modes on
 * disk are chosen by the extractor, never taken from the archive.
 */
export const ENTRY_MODE = 0o100644;

/**
 * The one timestamp every entry carries: 1980-01-01 00:00, the DOS epoch. yazl encodes DOS dates from the
 * local-time fields of a Date, so it is built in local time to give the same bytes in every time zone.
 */
export const entryTimestamp = (): Date => new Date(1980, 0, 1, 0, 0, 0, 0);
