// Test helpers: sample revision content and hand-crafted, signed profile archives. Not exported from index.ts.
import { createHash, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { ProfileArchiveError } from '../profile-archive.errors.js';
import type { ProfileArchiveInput } from '../profile-archive.types.js';
import { signManifest } from '../profile-signing-key.js';
import { type CraftedEntry, craftZip } from './zip.js';

export const AGENT_CONF = Buffer.from(
  '# queue agent\ncentral.host=central.example\ncentral.websocket.port=8787\ncentral.websocket.secure=false\n',
);
/** Stand-ins with the right magic bytes; the library never parses truststores. */
export const TRUSTSTORE_JKS = Buffer.concat([Buffer.from('feedfeed00000002', 'hex'), Buffer.alloc(40, 1)]);
export const TRUSTSTORE_P12 = Buffer.concat([Buffer.from('3082', 'hex'), Buffer.alloc(40, 2)]);

export function sampleInput(overrides: Partial<ProfileArchiveInput> = {}): ProfileArchiveInput {
  return {
    profile: 'branch-default',
    revision: 3,
    files: [
      { path: 'conf/agent.conf', bytes: AGENT_CONF },
      { path: 'conf/security/truststore.jks', bytes: TRUSTSTORE_JKS },
      { path: 'conf/security/truststore.p12', bytes: TRUSTSTORE_P12 },
    ],
    minimumAgentVersion: '1.2.0',
    requiredCapabilities: ['wss'],
    ...overrides,
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A stored, regular-file entry. */
export const file = (
  name: string | Buffer,
  data: Buffer,
  more: Partial<CraftedEntry> = {},
): CraftedEntry => ({
  name,
  data,
  ...more,
});

export interface CraftOptions {
  key: KeyObject;
  /** Entries that are in the archive but left out of the manifest. */
  unlisted?: CraftedEntry[];
  /** Extra manifest fields or replacements (e.g. `files` to list an absent file). */
  manifest?: Record<string, unknown>;
  /** Replaces the manifest.json bytes after signing (tampering). */
  tamperManifest?: (bytes: Buffer) => Buffer;
  /** Replaces the signature bytes. */
  signature?: Buffer;
  omitManifest?: boolean;
  omitSignature?: boolean;
}

/**
 * A profile archive made by hand: `entries` listed in a manifest (sha256 and size of `plain ?? data`, size
 * as declared), manifest.json and manifest.sig stored after them, signed with `key`.
 */
export function craftProfileArchive(entries: CraftedEntry[], options: CraftOptions): Buffer {
  const files: Record<string, { sha256: string; size: number }> = {};
  for (const entry of entries) {
    const content = entry.plain ?? entry.data;
    files[typeof entry.name === 'string' ? entry.name : entry.name.toString('utf8')] = {
      sha256: sha256(content),
      size: entry.uncompressedSize ?? content.length,
    };
  }
  const manifest = {
    formatVersion: 1,
    profile: 'branch-default',
    revision: 1,
    minimumAgentVersion: '1.0.0',
    requiredCapabilities: [],
    files,
    ...options.manifest,
  };
  const signed = Buffer.from(canonicalJson(manifest));
  const signature = options.signature ?? signManifest(signed, options.key);
  const manifestJson = options.tamperManifest?.(signed) ?? signed;
  return craftZip([
    ...entries,
    ...(options.unlisted ?? []),
    ...(options.omitManifest ? [] : [file('manifest.json', manifestJson)]),
    ...(options.omitSignature ? [] : [file('manifest.sig', signature)]),
  ]);
}

/** The ProfileArchiveError a promise rejects with (fails the test if it resolves or throws something else). */
export async function refusal(promise: Promise<unknown>): Promise<ProfileArchiveError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProfileArchiveError) return error;
    throw error;
  }
  throw new Error('expected a ProfileArchiveError, but the promise resolved');
}
