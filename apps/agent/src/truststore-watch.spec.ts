import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore, writePkcs12Truststore } from '../../../libs/keystore/index.js';
import { Logger } from './logger.js';
import { createTestCa, type TestCa } from './testing/test-certificates.js';
import { TrustError } from './trust.js';
import { RepeatedTrustError, TruststoreWatch } from './truststore-watch.js';

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TruststoreWatch', () => {
  let a: TestCa;
  let b: TestCa;
  let dir: string;
  let lines: string[];
  let changes: string[];
  let watch: TruststoreWatch;
  const home = { resolve: (p: string) => join(dir, p) };
  const settings = { path: 'truststore.jks', password: 'changeit', type: 'jks' as const };
  /** Replaced the way editors and deployment tools do: a new file renamed over the old one. */
  const replace = (bytes: Buffer) => {
    writeFileSync(join(dir, 'truststore.tmp'), bytes);
    renameSync(join(dir, 'truststore.tmp'), join(dir, 'truststore.jks'));
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestCa('Watch CA A'), createTestCa('Watch CA B')]);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'truststore-watch-'));
    lines = [];
    changes = [];
    watch = new TruststoreWatch({
      logger: new Logger('debug', (line) => lines.push(line)),
      onChange: (path) => changes.push(path),
      pollMs: 100,
      debounceMs: 20,
    });
  });
  afterEach(() => {
    watch.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a declared type that differs once per content, and reloads only when the content changes', () => {
    replace(writePkcs12Truststore([{ alias: 'a', der: a.der }], 'changeit'));
    expect(watch.load(settings, home)).toHaveLength(1);
    expect(watch.load(settings, home)).toHaveLength(1);
    expect(lines.filter((l) => l.includes('INFO'))).toEqual([
      expect.stringMatching(
        /INFO {2}truststore .*truststore\.jks is PKCS12 although its declared type is JKS: read as PKCS12, as Java does$/,
      ),
    ]);
    replace(
      writeJksTruststore(
        [
          { alias: 'a', der: a.der },
          { alias: 'b', der: b.der },
        ],
        'changeit',
      ),
    );
    expect(watch.load(settings, home)).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/INFO {2}truststore .* reloaded: 2 trusted CA\(s\)$/);
  });

  it('throws a TrustError once per failure, then RepeatedTrustError while nothing changes', () => {
    replace(writeJksTruststore([{ alias: 'a', der: a.der }], 'other-password'));
    const thrown = (): unknown => {
      try {
        watch.load(settings, home);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const first = thrown();
    expect(first).toBeInstanceOf(TrustError);
    expect(first).not.toBeInstanceOf(RepeatedTrustError);
    expect(thrown()).toBeInstanceOf(RepeatedTrustError);
    expect((thrown() as Error).message).toBe((first as Error).message);
    replace(writeJksTruststore([{ alias: 'a', der: a.der }], 'changeit'));
    expect(watch.load(settings, home)).toHaveLength(1);
    rmSync(join(dir, 'truststore.jks'));
    expect(thrown()).not.toBeInstanceOf(RepeatedTrustError);
    expect(thrown()).toBeInstanceOf(RepeatedTrustError);
  });

  it('reports a replaced file once, ignores a touch that keeps the content, and sees a file appear', async () => {
    replace(writeJksTruststore([{ alias: 'a', der: a.der }], 'changeit'));
    watch.load(settings, home);
    const touched = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'truststore.jks'), touched, touched);
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).toEqual([]);

    replace(writeJksTruststore([{ alias: 'b', der: b.der }], 'changeit'));
    await until('change reported', () => changes.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).toEqual([join(dir, 'truststore.jks')]);

    // a truststore whose folder does not exist yet: the poll sees it appear
    const later = { resolve: (p: string) => join(dir, 'later', p) };
    expect(() => watch.load(settings, later)).toThrow(TrustError);
    mkdirSync(join(dir, 'later'));
    writeFileSync(
      join(dir, 'later', 'truststore.jks'),
      writeJksTruststore([{ alias: 'a', der: a.der }], 'changeit'),
    );
    await until('file appearing reported', () => changes.length === 2);
    expect(changes[1]).toBe(join(dir, 'later', 'truststore.jks'));
    expect(watch.load(settings, later)).toHaveLength(1);
  });
});
