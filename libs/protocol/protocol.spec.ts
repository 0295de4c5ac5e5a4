import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAgentFrame, parseCentralFrame, encodeFrame, type FrameParseResult } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const load = (kind: string) =>
  readdirSync(join(here, 'fixtures', kind))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(here, 'fixtures', kind, f), 'utf8'))] as const);

const parse = (side: string, text: string): FrameParseResult<unknown> =>
  side === 'agent' ? parseAgentFrame(text) : parseCentralFrame(text);

describe('protocol golden fixtures', () => {
  it.each(load('valid'))('accepts %s and round-trips it', (_name, fixture) => {
    const result = parse(fixture.side, JSON.stringify(fixture.frame));
    expect(result).toEqual({ ok: true, frame: fixture.frame });
    if (result.ok) expect(JSON.parse(encodeFrame(result.frame as never))).toEqual(fixture.frame);
  });

  it.each(load('invalid'))('refuses %s with the expected close code and reason', (_name, fixture) => {
    const result = parse(fixture.side, fixture.text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.closeCode).toBe(fixture.expect.closeCode);
    if (fixture.expect.reason) expect(result.reason).toBe(fixture.expect.reason);
    if (fixture.expect.reasonStartsWith)
      expect(result.reason.startsWith(fixture.expect.reasonStartsWith)).toBe(true);
  });

  it('has fixtures for every frame type', () => {
    const types = new Set(load('valid').map(([, f]) => f.frame.type));
    expect([...types].sort()).toEqual(
      [
        'certificate.csr',
        'certificate.issued',
        'certificate.offer',
        'command',
        'command.result',
        'goodbye',
        'hello',
        'profile.activate',
        'profile.status',
        'profile.sync',
        'profile.fetch',
        'profile.chunk',
        'trust.report',
        'welcome',
        'diagnostics.request',
        'diagnostics.chunk',
        'diagnostics.result',
        'agent.upgrade',
        'agent.upgrade.status',
        'package.fetch',
        'package.chunk',
        'agent.event',
      ].sort(),
    );
  });
});

describe('upgrade headers', () => {
  it('carries a CSR as one line of base64 and back to the same PEM body', async () => {
    const { encodeCsrHeader, decodeCsrHeader } = await import('./index.js');
    const body = 'A'.repeat(100) + '==';
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${body.slice(0, 64)}\n${body.slice(64)}\n-----END CERTIFICATE REQUEST-----\n`;
    const header = encodeCsrHeader(pem);
    expect(header).toBe(body);
    expect(decodeCsrHeader(header)).toBe(pem);
    expect(decodeCsrHeader('not base64!')).toBeUndefined();
    expect(decodeCsrHeader('A'.repeat(5000))).toBeUndefined();
    expect(() => encodeCsrHeader('garbage')).toThrow('not a PEM certificate request');
  });
});
