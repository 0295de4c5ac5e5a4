import { createHash, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PACKAGE_MANIFEST_FORMAT,
  PACKAGE_PLATFORM,
  PACKAGE_VERSION_PATTERN,
  packageManifestBytes,
  signPackageManifest,
} from '../../../libs/agent-package/index.js';
import { bundleAgent, MINIMUM_NODE_MAJOR } from './agent-bundle.js';
import { type ArchiveEntry, archiveTime } from './archive-entry.js';
import { tarGz } from './tar-gz.js';
import { thirdPartyLicenses } from './third-party-licenses.js';
import { zipArchive } from './zip.js';

export interface BuiltArchive {
  path: string;
  bytes: number;
  sha256: string;
}

export interface AgentPackage {
  version: string;
  /** The folder name inside both archives: switchyard-agent-<version>. */
  root: string;
  tarGz: BuiltArchive;
  zip: BuiltArchive;
  bundleBytes: number;
  /** With a signing key: the signed manifest of the .tar.gz and its detached Ed25519 signature (ADR 45). */
  signed?: { manifestPath: string; signaturePath: string };
}

export interface PackageOptions {
  /** Stamps another version than package.json's (a hotfix build, or the upgrade tests' A and B). */
  version?: string;
  /** Ed25519 private key: writes `<root>.manifest.json` and `<root>.manifest.sig` next to the archives. */
  signingKey?: KeyObject;
}

/**
 * Builds `switchyard-agent-<version>.tar.gz` and `.zip` into `outDir` (ADR 38): the bundled agent, its
 * launchers, a default agent.conf (profiles/default, the template central's profiles start from), the
 * service recipes and a README. Same sources ⇒ same bytes.
 */
export async function buildAgentPackage(
  repoRoot: string,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: PackageOptions = {},
): Promise<AgentPackage> {
  const version =
    options.version ??
    (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  if (!PACKAGE_VERSION_PATTERN.test(version))
    throw new Error(`version "${version}" is not a version such as 1.2.3 (it names the install folder)`);
  const root = `switchyard-agent-${version}`;
  const files = join(repoRoot, 'apps', 'agent', 'packaging', 'files');
  const bundle = await bundleAgent(repoRoot, version);
  const text = (name: string) => readFileSync(join(files, name), 'utf8').replaceAll('{{VERSION}}', version);
  const entries: ArchiveEntry[] = [
    { path: 'README.md', data: Buffer.from(text('README.md')), mode: 0o644 },
    { path: 'bin/switchyard-agent', data: Buffer.from(text('switchyard-agent.sh')), mode: 0o755 },
    // cmd.exe wants CRLF: a label or a parenthesised block can misparse with bare LF.
    { path: 'bin/switchyard-agent.cmd', data: crlf(text('switchyard-agent.cmd')), mode: 0o755 },
    { path: 'lib/switchyard-agent.mjs', data: bundle.code, mode: 0o644 },
    {
      path: 'conf/agent.conf',
      data: readFileSync(join(repoRoot, 'profiles', 'default', 'conf', 'agent.conf')),
      mode: 0o644,
    },
    {
      path: 'service/switchyard-agent.service',
      data: Buffer.from(text('switchyard-agent.service')),
      mode: 0o644,
    },
    { path: 'service/windows/switchyard-agent.xml', data: crlf(text('switchyard-agent.xml')), mode: 0o644 },
    {
      path: 'THIRD-PARTY-LICENSES.txt',
      data: Buffer.from(thirdPartyLicenses(repoRoot, bundle.packageDirs)),
      mode: 0o644,
    },
  ].map((entry) => ({ ...entry, path: `${root}/${entry.path}` }));

  const mtime = archiveTime(env);
  mkdirSync(outDir, { recursive: true });
  const write = (name: string, data: Buffer): BuiltArchive => {
    const path = join(outDir, name);
    writeFileSync(path, data);
    return { path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  };
  const tar = write(`${root}.tar.gz`, tarGz(entries, mtime));
  const zip = write(`${root}.zip`, await zipArchive(entries, mtime));
  const built: AgentPackage = { version, root, tarGz: tar, zip, bundleBytes: bundle.code.length };
  if (options.signingKey) built.signed = signPackage(outDir, built, options.signingKey);
  return built;
}

/**
 * The manifest names the .tar.gz by sha256 and size, with the version, the platform and the oldest Node
 * major; the signature covers the manifest's exact bytes. Central checks both at upload and re-signs the
 * manifest with its profile-signing key, which agents already pin (ADR 45).
 */
function signPackage(
  outDir: string,
  built: AgentPackage,
  key: KeyObject,
): { manifestPath: string; signaturePath: string } {
  const manifest = packageManifestBytes({
    format: PACKAGE_MANIFEST_FORMAT,
    name: 'switchyard-agent',
    version: built.version,
    platform: PACKAGE_PLATFORM,
    minNodeMajor: MINIMUM_NODE_MAJOR,
    archive: `${built.root}.tar.gz`,
    sha256: built.tarGz.sha256,
    sizeBytes: built.tarGz.bytes,
  });
  const manifestPath = join(outDir, `${built.root}.manifest.json`);
  const signaturePath = join(outDir, `${built.root}.manifest.sig`);
  writeFileSync(manifestPath, manifest);
  writeFileSync(signaturePath, signPackageManifest(manifest, key));
  return { manifestPath, signaturePath };
}

function crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'));
}
