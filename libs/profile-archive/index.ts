export { canonicalJson } from './canonical-json.js';
export { buildProfileArchive } from './profile-archive.builder.js';
export { ProfileArchiveError, ProfileArchiveErrorCode } from './profile-archive.errors.js';
export { extractProfileArchive } from './profile-archive.extractor.js';
export { MANIFEST_FORMAT_VERSION, MANIFEST_NAME, SIGNATURE_NAME } from './profile-archive.layout.js';
export { DEFAULT_PROFILE_ARCHIVE_LIMITS, type ProfileArchiveLimits } from './profile-archive.limits.js';
export { openProfileArchive } from './profile-archive.opener.js';
export type {
  BuiltProfileArchive,
  OpenedProfileArchive,
  OpenProfileArchiveOptions,
  ProfileArchiveInput,
  ProfileFile,
} from './profile-archive.types.js';
export {
  AGENT_VERSION_PATTERN,
  manifestBytes,
  manifestSha256,
  parseManifest,
  type ProfileManifest,
  profileManifestSchema,
} from './profile-manifest.js';
export {
  exportProfileSigningPrivateKey,
  exportProfileSigningPublicKey,
  generateProfileSigningKey,
  importProfileSigningPrivateKey,
  importProfileSigningPublicKey,
  type ProfileSigningKeyPair,
  profileSigningKeyFingerprint,
  signManifest,
  verifyManifestSignature,
} from './profile-signing-key.js';
export { truststoreMacSalt } from './truststore-salt.js';
