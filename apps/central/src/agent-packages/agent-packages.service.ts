import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  AgentPackageError,
  checkAgentPackage,
  comparePackageVersions,
  MAX_PACKAGE_MANIFEST_BYTES,
  PACKAGE_SIGNATURE_BYTES,
} from '../../../../libs/agent-package/index.js';
import { signManifest } from '../../../../libs/profile-archive/index.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import { ProfileSigningKeyService } from '../profiles/profile-signing-key.service.js';
import { AgentPackageKeys } from './agent-package-keys.js';
import { type AgentPackageRow, AgentPackagesRepository } from './agent-packages.repository.js';

export interface UploadedPackageFile {
  name: string;
  bytes: Buffer;
}

export interface AgentPackageView extends AgentPackageRow {
  /** False when the same version with the same bytes was there already (an upload is idempotent). */
  created: boolean;
}

/**
 * Agent packages for upgrades (issue 17 point 5, ADR 45): an upload is the `.tar.gz`, its
 * `.manifest.json` and `.manifest.sig` as `npm run package:agent -- --signing-key FILE` writes them.
 * Checked before anything is stored; central then signs the manifest with its profile-signing key,
 * which agents pinned at enrollment, so agents trust packages through the key they already have.
 */
@Injectable()
export class AgentPackagesService {
  constructor(
    private readonly repo: AgentPackagesRepository,
    private readonly keys: AgentPackageKeys,
    private readonly signingKey: ProfileSigningKeyService,
  ) {}

  list(): Promise<AgentPackageRow[]> {
    return this.repo.list();
  }

  async get(version: string): Promise<AgentPackageRow> {
    const found = await this.repo.find(version);
    if (!found) throw new DomainError('agent_package_not_found', `no agent package ${version}`);
    return found;
  }

  async upload(
    files: UploadedPackageFile[],
    options: { allowDowngrade: boolean },
    actor: string,
  ): Promise<AgentPackageView> {
    const archive = one(files, '.tar.gz', 'the package archive (switchyard-agent-<version>.tar.gz)');
    const manifest = one(
      files,
      '.manifest.json',
      'the signed manifest (switchyard-agent-<version>.manifest.json)',
    );
    const signature = one(files, '.manifest.sig', 'the signature (switchyard-agent-<version>.manifest.sig)');
    if (manifest.bytes.length > MAX_PACKAGE_MANIFEST_BYTES)
      throw new ValidationError([
        { field: 'manifest', message: `must be at most ${MAX_PACKAGE_MANIFEST_BYTES} bytes` },
      ]);
    if (signature.bytes.length !== PACKAGE_SIGNATURE_BYTES)
      throw new ValidationError([
        {
          field: 'signature',
          message: `must be a ${PACKAGE_SIGNATURE_BYTES}-byte Ed25519 signature, not ${signature.bytes.length} bytes`,
        },
      ]);
    const trusted = this.keys.read();
    if (trusted.keys.length === 0)
      throw new ValidationError([
        {
          field: 'signature',
          message:
            `central trusts no agent-package signing key: put the publisher's Ed25519 public key (PEM) into ${trusted.folder}/` +
            (trusted.unusable.length > 0 ? ` (unusable there: ${trusted.unusable.join('; ')})` : ''),
        },
      ]);
    let checked;
    try {
      checked = checkAgentPackage({
        archive: archive.bytes,
        manifestBytes: manifest.bytes,
        signature: signature.bytes,
        keys: trusted.keys,
      });
    } catch (error) {
      if (error instanceof AgentPackageError)
        throw new ValidationError([{ field: error.field, message: error.message }]);
      throw error;
    }
    const m = checked.manifest;
    if (archive.name !== m.archive)
      throw new ValidationError([
        { field: 'package', message: `is named "${archive.name}" but the manifest names "${m.archive}"` },
      ]);
    const existing = await this.repo.find(m.version);
    if (existing) {
      if (existing.sha256 === m.sha256) return { ...existing, created: false };
      throw new DomainError(
        'agent_package_version_taken',
        `agent package ${m.version} was uploaded already with other bytes (sha256 ${existing.sha256.slice(0, 16)}…); a version names one package`,
        { version: m.version },
      );
    }
    const newest = (await this.repo.list())
      .map((p) => p.version)
      .sort(comparePackageVersions)
      .at(-1);
    if (newest !== undefined && comparePackageVersions(m.version, newest) < 0 && !options.allowDowngrade)
      throw new DomainError(
        'agent_package_downgrade',
        `agent package ${m.version} is older than ${newest}, the newest uploaded: a downgrade needs allowDowngrade=true`,
        { version: m.version, newest },
      );
    const centralSignature = signManifest(manifest.bytes, await this.signingKey.privateKey());
    const inserted = await this.repo.insert({
      version: m.version,
      sha256: m.sha256,
      sizeBytes: m.sizeBytes,
      platform: m.platform,
      minNodeMajor: m.minNodeMajor,
      manifest: manifest.bytes.toString('utf8'),
      publisherSignature: signature.bytes,
      publisherKeyFingerprint: checked.keyFingerprint,
      centralSignature,
      archive: archive.bytes,
      uploadedBy: actor,
    });
    const stored = await this.get(m.version);
    if (!inserted && stored.sha256 !== m.sha256)
      throw new DomainError(
        'agent_package_version_taken',
        `agent package ${m.version} was uploaded meanwhile with other bytes`,
      );
    return { ...stored, created: inserted };
  }
}

function one(files: UploadedPackageFile[], suffix: string, what: string): UploadedPackageFile {
  const matching = files.filter((f) => f.name.endsWith(suffix));
  if (matching.length !== 1)
    throw new ValidationError([
      {
        field: 'files',
        message:
          matching.length === 0
            ? `missing ${what}; got ${files.map((f) => `"${f.name}"`).join(', ') || 'no file'}`
            : `${matching.length} files end in ${suffix}; send one`,
      },
    ]);
  return matching[0]!;
}

/** Lower-case hex sha256 (the archive's name on the wire). */
export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
