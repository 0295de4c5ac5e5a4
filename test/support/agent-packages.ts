import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PACKAGE_MANIFEST_FORMAT,
  PACKAGE_PLATFORM,
  type PackageManifest,
  packageManifestBytes,
  signPackageManifest,
} from '../../libs/agent-package/index.js';
import { tarGz } from '../../apps/agent/packaging/tar-gz.js';

export interface PackageKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

/** A publisher key made for this test run (never committed). */
export function packageKey(): PackageKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Trusts `key` for uploads: central reads `<data>/agent-package-keys/*.pem` (ADR 45). */
export function trustPackageKey(dataDir: string, key: PackageKey, name = 'publisher.pem'): void {
  mkdirSync(join(dataDir, 'agent-package-keys'), { recursive: true });
  writeFileSync(join(dataDir, 'agent-package-keys', name), key.publicPem);
}

export interface SignedPackageFiles {
  archive: Buffer;
  manifest: Buffer;
  signature: Buffer;
  /** The three as ApiClient.upload sends them. */
  files: Array<{ name: string; bytes: Buffer }>;
}

/** Signs an archive as `package:agent --signing-key` does; `manifest` overrides fields (bad-input tests). */
export function signPackage(
  archive: Buffer,
  version: string,
  key: KeyObject,
  manifest: Partial<PackageManifest> = {},
): SignedPackageFiles {
  const m = packageManifestBytes({
    format: PACKAGE_MANIFEST_FORMAT,
    name: 'switchyard-agent',
    version,
    platform: PACKAGE_PLATFORM,
    minNodeMajor: 20,
    archive: `switchyard-agent-${version}.tar.gz`,
    sha256: createHash('sha256').update(archive).digest('hex'),
    sizeBytes: archive.length,
    ...manifest,
  });
  return filesOf(archive, m, signPackageManifest(m, key), version);
}

export function filesOf(
  archive: Buffer,
  manifest: Buffer,
  signature: Buffer,
  version: string,
): SignedPackageFiles {
  const root = `switchyard-agent-${version}`;
  return {
    archive,
    manifest,
    signature,
    files: [
      { name: `${root}.tar.gz`, bytes: archive },
      { name: `${root}.manifest.json`, bytes: manifest },
      { name: `${root}.manifest.sig`, bytes: signature },
    ],
  };
}

/** A small package-shaped archive (launcher + a bundle of the given code), for tests that need no real agent. */
export function tinyPackageArchive(version: string, bundle = 'process.exit(0);\n'): Buffer {
  const root = `switchyard-agent-${version}`;
  return tarGz(
    [
      { path: `${root}/bin/switchyard-agent`, data: Buffer.from('#!/bin/sh\nexit 0\n'), mode: 0o755 },
      { path: `${root}/lib/switchyard-agent.mjs`, data: Buffer.from(bundle), mode: 0o644 },
    ],
    new Date(Date.UTC(2020, 0, 1)),
  );
}
