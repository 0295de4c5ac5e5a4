import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentFrame,
  type DiagnosticsChunk,
  type DiagnosticsRequest,
} from '../../../../libs/protocol/index.js';
import yauzl from 'yauzl';
import { parseAgentConfText } from '../agent-conf-file.js';
import { AgentHome } from '../agent-home.js';
import { Logger } from '../logger.js';
import { DiagnosticsAgent } from './diagnostics-agent.js';
import { LogTail } from './log-tail.js';

const REQUEST = '5b0c7c1e-8f3a-4d2b-9c61-2f4e8a7d3b90';
const CONF = 'central.host=central.example\nagent.id=branch-7\nsite.api.token=tok-secret-1\n';

/** The files of a zip by name (central checks bundles with its own reader; this is the agent's side). */
async function readBundleFiles(bundle: Buffer): Promise<Map<string, Buffer>> {
  const zip = await yauzl.fromBufferPromise(bundle, { lazyEntries: true });
  const files = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    files.set(entry.fileName, Buffer.concat(chunks));
  }
  return files;
}

describe('DiagnosticsAgent', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sy-diag-agent-'));
    mkdirSync(join(root, 'conf'));
    writeFileSync(join(root, 'conf', 'agent.conf'), CONF);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = async (request: DiagnosticsRequest, tail: LogTail) => {
    const loaded = parseAgentConfText(CONF);
    if (!loaded.ok) throw new Error(loaded.issues.join('; '));
    const frames: AgentFrame[] = [];
    const agent = new DiagnosticsAgent({
      home: new AgentHome(root),
      logger: new Logger('error', () => undefined),
      agentVersion: '9.9.9',
      logTail: tail,
      host: {
        conf: () => loaded.conf,
        statusJson: () => '{"state":"connected"}\n',
        literalSecrets: () => ['sya_credential-of-this-agent'],
      },
    });
    agent.handle(request, { sendFrame: (f) => frames.push(f) > 0 });
    await agent.idle();
    return frames;
  };

  it('uploads in order, ends with size and checksum, and shortens the log tail to fit maxBytes', async () => {
    const tail = new LogTail();
    // Incompressible lines: 256 KiB of them cannot fit 96 KiB zipped.
    for (let i = 0; i < 3000; i++) tail.push(`${i} ${randomBytes(60).toString('base64')}`);
    tail.push('credential sya_credential-of-this-agent used');
    const frames = await run({ type: 'diagnostics.request', requestId: REQUEST, maxBytes: 96 * 1024 }, tail);
    const chunks = frames.filter((f): f is DiagnosticsChunk => f.type === 'diagnostics.chunk');
    const result = frames.at(-1)!;
    expect(chunks.map((c) => c.offset)).toEqual(chunks.map((_, i) => i * 32 * 1024));
    const bundle = Buffer.concat(chunks.map((c) => Buffer.from(c.data, 'base64')));
    expect(result).toEqual({
      type: 'diagnostics.result',
      requestId: REQUEST,
      sizeBytes: bundle.length,
      sha256: createHash('sha256').update(bundle).digest('hex'),
    });
    expect(bundle.length).toBeLessThanOrEqual(96 * 1024);
    const files = await readBundleFiles(bundle);
    const log = files.get('agent.log')!.toString();
    expect(log.length).toBeLessThan(96 * 1024);
    expect(log).toContain('credential [redacted] used');
    expect(files.get('agent.conf')!.toString()).toContain('site.api.token=[redacted]');
    expect(JSON.parse(files.get('truststore.json')!.toString())).toMatchObject({
      path: 'conf/security/truststore.jks',
      anchors: [],
      error: expect.stringContaining('truststore.jks'),
    });
  });

  it('answers with an error when even a short bundle is over the limit', async () => {
    const frames = await run(
      { type: 'diagnostics.request', requestId: REQUEST, maxBytes: 1024 },
      new LogTail(),
    );
    expect(frames).toEqual([
      {
        type: 'diagnostics.result',
        requestId: REQUEST,
        error: expect.stringMatching(
          /^the bundle is \d+ bytes even with a short log tail, over the 1024-byte limit/,
        ),
      },
    ]);
  });
});
