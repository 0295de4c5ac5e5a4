/** Bounds the opener enforces; an archive beyond any of them is refused before (or while) unpacking it. */
export interface ProfileArchiveLimits {
  /** Most entries an archive may hold, manifest.json and manifest.sig included. */
  maxEntries: number;
  /** Most bytes all entries together may unpack to, counted on the real output, not the declared sizes. */
  maxUnpackedBytes: number;
  /** Most bytes manifest.json may unpack to (it is read before the signature is checked). */
  maxManifestBytes: number;
}

/** docs/design.md §5 / issue 4: at most 64 entries and 10 MiB unpacked. */
export const DEFAULT_PROFILE_ARCHIVE_LIMITS: Readonly<ProfileArchiveLimits> = Object.freeze({
  maxEntries: 64,
  maxUnpackedBytes: 10 * 1024 * 1024,
  maxManifestBytes: 256 * 1024,
});
