export {
  AgentPackageError,
  checkAgentPackage,
  type CheckedPackage,
  PACKAGE_REQUIRED_FILES,
  packageFiles,
} from './package-check.js';
export {
  MAX_AGENT_PACKAGE_BYTES,
  MAX_PACKAGE_MANIFEST_BYTES,
  PACKAGE_MANIFEST_FORMAT,
  PACKAGE_PLATFORM,
  PACKAGE_VERSION_PATTERN,
  type PackageManifest,
  packageManifestBytes,
  packageManifestSchema,
  parsePackageManifest,
} from './package-manifest.js';
export {
  importPackagePublicKey,
  importPackageSigningPrivateKey,
  PACKAGE_SIGNATURE_BYTES,
  packageKeyFingerprint,
  signPackageManifest,
  verifyPackageManifest,
} from './package-signature.js';
export { comparePackageVersions } from './package-version.js';
export { DEFAULT_TAR_LIMITS, readTarGz, type TarEntry, type TarLimits } from './tar-reader.js';
