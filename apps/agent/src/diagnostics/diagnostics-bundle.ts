import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import yazl from 'yazl';
import { type AgentConf } from '../../../../libs/agent-conf/index.js';
import { type DiagnosticsManifest, type TrustAnchor } from '../../../../libs/protocol/index.js';
import { localConfPathOf } from '../agent-conf-file.js';
import type { AgentHome } from '../agent-home.js';
import { trustAnchorsOf } from '../trust-anchors.js';
import { loadTrustedCaPems, type TruststoreReader } from '../trust.js';
import { redactProperties, redactText } from './redaction.js';

/** What a bundle is built from: the agent's files, its running settings, and what only memory holds. */
export interface BundleInput {
  requestId: string;
  agentId: string;
  agentVersion: string;
  home: AgentHome;
  conf: AgentConf;
  /** The newest log lines (LogTail), already bounded. */
  logText: string;
  /** state/status.json as the agent holds it now. */
  statusJson: string;
  /** Secrets the agent holds literally (its credential): scrubbed wherever they appear. */
  literalSecrets: readonly string[];
  readTruststore?: TruststoreReader;
  now?: () => Date;
}

/** truststore.json: the configured truststore and the SHA-256 of each anchor, as reported to central. */
interface TruststoreFacts {
  path: string;
  type: string;
  fileSha256: string | null;
  anchors: TrustAnchor[];
  error?: string;
}

/**
 * Builds the diagnostics bundle (ADR 44): a zip of manifest.json, agent.log (the tail), status.json,
 * agent.conf and agent.local.conf without secrets, and truststore.json. Nothing from state/ but the
 * status is read: the credential and the client key never enter it.
 */
export async function buildDiagnosticsBundle(input: BundleInput): Promise<Buffer> {
  const secrets = input.literalSecrets;
  const files = new Map<string, string>();
  const redactedKeys: Record<string, string[]> = {};

  for (const [name, path] of [
    ['agent.conf', input.home.confFile],
    ['agent.local.conf', localConfPathOf(input.home.confFile)],
  ] as const) {
    const text = await readOptional(path);
    if (text === undefined) continue;
    const redacted = redactProperties(text, secrets);
    files.set(name, redacted.text);
    redactedKeys[name] = redacted.redactedKeys;
  }
  files.set('status.json', redactText(input.statusJson, secrets));
  files.set('truststore.json', JSON.stringify(await truststoreFacts(input), null, 2) + '\n');
  const logText = redactText(input.logText, secrets);
  files.set('agent.log', logText);

  const manifest: DiagnosticsManifest = {
    format: 1,
    requestId: input.requestId,
    agentId: input.agentId,
    createdAt: (input.now?.() ?? new Date()).toISOString(),
    agentVersion: input.agentVersion,
    nodeVersion: process.version,
    platform: process.platform,
    arch: process.arch,
    logTailBytes: Buffer.byteLength(logText, 'utf8'),
    redactedKeys,
  };
  files.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return zip(files);
}

async function truststoreFacts(input: BundleInput): Promise<TruststoreFacts> {
  const settings = input.conf.trustStore;
  const facts: TruststoreFacts = { path: settings.path, type: settings.type, fileSha256: null, anchors: [] };
  try {
    facts.fileSha256 = createHash('sha256')
      .update(await readFile(input.home.resolve(settings.path)))
      .digest('hex');
    facts.anchors = trustAnchorsOf(loadTrustedCaPems(settings, input.home, input.readTruststore));
  } catch (error) {
    // A missing or unreadable truststore is a finding, not a reason to send no bundle.
    facts.error = redactText((error as Error).message, input.literalSecrets);
  }
  return facts;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `# unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`;
  }
}

async function zip(files: Map<string, string>): Promise<Buffer> {
  const archive = new yazl.ZipFile();
  for (const name of [...files.keys()].sort()) {
    archive.addBuffer(Buffer.from(files.get(name)!, 'utf8'), name, { mode: 0o100644, compress: true });
  }
  archive.end();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
