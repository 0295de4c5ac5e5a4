import yauzl from 'yauzl';
import {
  DIAGNOSTICS_BUNDLE_FILES,
  diagnosticsManifestSchema,
  type DiagnosticsManifest,
} from '../../../../libs/protocol/index.js';

/** Unpacked, a bundle holds at most this much: a zip bomb is refused before it is stored. */
export const MAX_UNPACKED_BUNDLE_BYTES = 16 * 1024 * 1024;
const ALLOWED = new Set<string>(DIAGNOSTICS_BUNDLE_FILES);

export type BundleCheck = { ok: true; manifest: DiagnosticsManifest } | { ok: false; reason: string };

/**
 * Checks an uploaded bundle before it is stored (ADR 44): a readable zip of the known files only, within
 * MAX_UNPACKED_BUNDLE_BYTES, whose manifest.json is valid and names this request and this agent.
 */
export async function checkDiagnosticsBundle(
  bundle: Buffer,
  expected: { requestId: string; agentId: string },
): Promise<BundleCheck> {
  let files: Map<string, Buffer>;
  try {
    files = await readBundleFiles(bundle);
  } catch (error) {
    return { ok: false, reason: `the bundle is not a valid diagnostics zip: ${(error as Error).message}` };
  }
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) return { ok: false, reason: 'the bundle has no manifest.json' };
  let json: unknown;
  try {
    json = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'manifest.json is not JSON' };
  }
  const parsed = diagnosticsManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `manifest.json: ${issue.path.join('.') || 'manifest'}: ${issue.message}` };
  }
  if (parsed.data.requestId !== expected.requestId)
    return { ok: false, reason: `manifest.json is for request ${parsed.data.requestId}, not this one` };
  if (parsed.data.agentId !== expected.agentId)
    return { ok: false, reason: `manifest.json names agent ${parsed.data.agentId}, not ${expected.agentId}` };
  return { ok: true, manifest: parsed.data };
}

/**
 * The files of a bundle by name; throws naming what is wrong (an unknown or repeated name, a folder, too
 * much data unpacked). Also what tests read bundles with.
 */
export async function readBundleFiles(bundle: Buffer): Promise<Map<string, Buffer>> {
  const zip = await yauzl.fromBufferPromise(bundle, { lazyEntries: true, validateEntrySizes: true });
  const files = new Map<string, Buffer>();
  let unpacked = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (!ALLOWED.has(name)) throw new Error(`unexpected entry ${JSON.stringify(name.slice(0, 100))}`);
      if (files.has(name)) throw new Error(`entry ${name} appears twice`);
      unpacked += entry.uncompressedSize;
      if (unpacked > MAX_UNPACKED_BUNDLE_BYTES)
        throw new Error(`more than ${MAX_UNPACKED_BUNDLE_BYTES} bytes unpacked`);
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      files.set(name, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
  return files;
}
