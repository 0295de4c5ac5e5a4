import { z } from 'zod';

// Diagnostics from central (issue 17 point 4, ADR 44): an operator asks an agent for a bundle (log tail,
// status, agent.conf without secrets, truststore fingerprints); the agent uploads it over the session it
// already has, in chunks (base64 in text frames), then says how many bytes it sent and their SHA-256.

/** What an agent that can build and send a diagnostics bundle reports in `hello.capabilities`. */
export const DIAGNOSTICS_CAPABILITY = 'diagnostics';

/** The protocol's bound on a bundle; central asks for less (`maxBytes`) and refuses what is over that. */
export const MAX_DIAGNOSTICS_BUNDLE_BYTES = 8 * 1024 * 1024;

/** Bytes per chunk: 32 KiB is ~43.7 KB of base64, well inside a 64 KiB frame. */
export const DIAGNOSTICS_CHUNK_BYTES = 32 * 1024;

const requestId = z.uuid('must be a UUID (the request id central sent)');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/** central → agent: build a bundle of at most `maxBytes` and upload it under `requestId`. */
export const diagnosticsRequestSchema = z.strictObject({
  type: z.literal('diagnostics.request'),
  requestId,
  maxBytes: z.number().int().min(1024).max(MAX_DIAGNOSTICS_BUNDLE_BYTES),
});

/** agent → central: bytes [offset, offset + decoded length) of the bundle, in order. */
export const diagnosticsChunkSchema = z.strictObject({
  type: z.literal('diagnostics.chunk'),
  requestId,
  offset: z.number().int().min(0).max(MAX_DIAGNOSTICS_BUNDLE_BYTES),
  data: z
    .string()
    .min(1)
    .max(Math.ceil(DIAGNOSTICS_CHUNK_BYTES / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});

/** agent → central: the upload is complete (`sizeBytes`, `sha256` of the whole bundle), or why not (`error`). */
export const diagnosticsResultSchema = z
  .strictObject({
    type: z.literal('diagnostics.result'),
    requestId,
    sizeBytes: z.number().int().min(1).max(MAX_DIAGNOSTICS_BUNDLE_BYTES).optional(),
    sha256: sha256.optional(),
    error: z.string().min(1).max(1024).optional(),
  })
  .refine(
    (f) =>
      f.error !== undefined
        ? f.sizeBytes === undefined && f.sha256 === undefined
        : f.sizeBytes !== undefined && f.sha256 !== undefined,
    { message: 'a result carries either sizeBytes and sha256, or an error', path: ['error'] },
  );

/** The files a bundle (a zip) may hold; `manifest.json` is required, the others when the agent has them. */
export const DIAGNOSTICS_BUNDLE_FILES = [
  'manifest.json',
  'agent.log',
  'status.json',
  'agent.conf',
  'agent.local.conf',
  'truststore.json',
] as const;

/** `manifest.json` of a bundle: who built it for which request, and on what. */
export const diagnosticsManifestSchema = z.strictObject({
  format: z.literal(1),
  requestId,
  agentId: z.string().min(1).max(128),
  createdAt: z.iso.datetime(),
  agentVersion: z.string().min(1).max(64),
  nodeVersion: z.string().min(1).max(64),
  platform: z.string().min(1).max(64),
  arch: z.string().min(1).max(64),
  /** Bytes of agent.log: the newest lines the agent logged since it started, cut at the front. */
  logTailBytes: z.number().int().min(0),
  /** Keys whose values were replaced by `[redacted]` (names only), per file. */
  redactedKeys: z.record(z.string(), z.array(z.string().max(256)).max(256)),
});

export type DiagnosticsRequest = z.infer<typeof diagnosticsRequestSchema>;
export type DiagnosticsChunk = z.infer<typeof diagnosticsChunkSchema>;
export type DiagnosticsResult = z.infer<typeof diagnosticsResultSchema>;
export type DiagnosticsManifest = z.infer<typeof diagnosticsManifestSchema>;
