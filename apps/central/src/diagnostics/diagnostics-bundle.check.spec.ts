import yazl from 'yazl';
import { checkDiagnosticsBundle } from './diagnostics-bundle.check.js';

const REQUEST = '5b0c7c1e-8f3a-4d2b-9c61-2f4e8a7d3b90';

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const manifest = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 1,
    requestId: REQUEST,
    agentId: 'branch-7',
    createdAt: '2026-12-07T06:00:00.000Z',
    agentVersion: '0.1.0',
    nodeVersion: 'v24.21.0',
    platform: 'linux',
    arch: 'x64',
    logTailBytes: 3,
    redactedKeys: { 'agent.conf': ['site.api.token'] },
    ...over,
  });

describe('checkDiagnosticsBundle', () => {
  const expected = { requestId: REQUEST, agentId: 'branch-7' };

  it('accepts a zip of the known files whose manifest names this request and agent', async () => {
    const bundle = await zipOf({ 'manifest.json': manifest(), 'agent.log': 'hi\n', 'status.json': '{}' });
    const check = await checkDiagnosticsBundle(bundle, expected);
    expect(check).toEqual({ ok: true, manifest: expect.objectContaining({ agentId: 'branch-7' }) });
  });

  it.each([
    ['not a zip', async () => Buffer.from('plain text'), /^the bundle is not a valid diagnostics zip: /],
    [
      'an unknown entry',
      () => zipOf({ 'manifest.json': manifest(), 'state/credential': 'x' }),
      /unexpected entry "state\/credential"/,
    ],
    ['no manifest', () => zipOf({ 'agent.log': 'x' }), /^the bundle has no manifest\.json$/],
    ['a manifest that is not JSON', () => zipOf({ 'manifest.json': '{' }), /^manifest\.json is not JSON$/],
    [
      'a manifest missing a field',
      () => zipOf({ 'manifest.json': manifest({ nodeVersion: undefined }) }),
      /^manifest\.json: nodeVersion: /,
    ],
    [
      "another agent's manifest",
      () => zipOf({ 'manifest.json': manifest({ agentId: 'branch-8' }) }),
      /^manifest\.json names agent branch-8, not branch-7$/,
    ],
    [
      "another request's manifest",
      () => zipOf({ 'manifest.json': manifest({ requestId: '6b0c7c1e-8f3a-4d2b-9c61-2f4e8a7d3b90' }) }),
      /^manifest\.json is for request 6b0c7c1e/,
    ],
  ])('refuses %s, saying why', async (_what, make, reason) => {
    const check = await checkDiagnosticsBundle(await make(), expected);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });
});
