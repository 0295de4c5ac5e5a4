import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIfStale, staleReason } from '../../scripts/build-if-stale.mjs';
import { makeTempDir } from '../support/test-database.js';

/**
 * Issue 17 point 2: `npm start|agent|certmgr|migrate` build only when the sources changed. A scratch
 * checkout whose `build` script counts its runs, driven through the real `npm run build`.
 */
describe('build-if-stale (CLIs that start at once)', () => {
  let root = '';
  const builds = () =>
    readFileSync(join(root, 'dist', 'builds.txt'), 'utf8')
      .split('\n')
      .filter(Boolean).length;
  const quiet = () => undefined;
  const touch = (path: string, secondsFromNow: number) => {
    const t = new Date(Date.now() + secondsFromNow * 1000);
    utimesSync(join(root, path), t, t);
  };

  beforeAll(() => {
    root = makeTempDir('sy-build-stale-');
    mkdirSync(join(root, 'apps', 'x', 'src'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        private: true,
        scripts: { build: "node -e \"require('fs').appendFileSync('dist/builds.txt', 'built\\\\n')\"" },
      }),
    );
    writeFileSync(join(root, 'apps', 'x', 'src', 'main.ts'), 'export {};\n');
    writeFileSync(join(root, 'apps', 'x', 'src', 'main.spec.ts'), 'export {};\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the first time, then not while nothing changed', () => {
    expect(staleReason(root)).toBe('no build stamp (first build, or dist/ was removed)');
    expect(buildIfStale(root, quiet)).toBe(true);
    expect(builds()).toBe(1);
    expect(staleReason(root)).toBeUndefined();
    expect(buildIfStale(root, quiet)).toBe(true);
    expect(builds()).toBe(1);
  });

  it('builds again when a source is newer, but not for a spec file', () => {
    touch('apps/x/src/main.spec.ts', 5);
    expect(staleReason(root)).toBeUndefined();
    touch('apps/x/src/main.ts', 5);
    expect(staleReason(root)).toBe('sources are newer than the last build');
    expect(buildIfStale(root, quiet)).toBe(true);
    expect(builds()).toBe(2);
  });

  it('builds again when a source file is removed or added (its old output would linger)', () => {
    writeFileSync(join(root, 'apps', 'x', 'src', 'extra.ts'), 'export {};\n');
    touch('apps/x/src/extra.ts', -3600); // an old file moved in: its mtime alone would not say so
    expect(staleReason(root)).toBe('source files were added, removed or renamed');
    expect(buildIfStale(root, quiet)).toBe(true);
    rmSync(join(root, 'apps', 'x', 'src', 'extra.ts'));
    expect(staleReason(root)).toBe('source files were added, removed or renamed');
    expect(buildIfStale(root, quiet)).toBe(true);
    expect(builds()).toBe(4);
  });

  it('reports a failed build and leaves the stamp, so the next start tries again', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ ...pkg, scripts: { build: 'exit 3' } }));
    touch('package.json', 10);
    expect(buildIfStale(root, quiet)).toBe(false);
    expect(staleReason(root)).toBe('sources are newer than the last build');
  });
});
