import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pruneDist } from '../../scripts/prune-dist.mjs';
import { REPO_ROOT } from '../support/processes.js';
import { makeTempDir } from '../support/test-database.js';

function filesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, out);
    else out.push(path);
  }
  return out;
}

/**
 * Issue 18 point 7: test support stays out of dist/. tsc never deletes an output, so a helper that moved
 * into a `testing/` folder kept shipping from older builds; `npm run build` prunes those outputs.
 */
describe('dist/ without test support', () => {
  it('the build (run before the tests) left no spec, testing/ helper or test-support file in dist/', () => {
    const dist = join(REPO_ROOT, 'dist');
    const shipped = ['apps', 'libs', 'migrations', 'bench'].flatMap((d) => filesUnder(join(dist, d)));
    expect(shipped.length).toBeGreaterThan(100);
    const support = shipped
      .map((f) => relative(dist, f))
      .filter((f) => /(^|\/)testing\/|\.spec\.js|test-support|test-fixtures/.test(f));
    expect(support).toEqual([]);
  });

  describe('pruneDist', () => {
    let root = '';
    const put = (path: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), 'export {};\n');
    };
    beforeAll(() => {
      root = makeTempDir('sy-prune-dist-');
      put('libs/zip/zip.reader.ts');
      put('libs/zip/testing/zip.ts');
      put('libs/zip/zip.reader.spec.ts');
      for (const out of [
        'dist/libs/zip/zip.reader.js',
        'dist/libs/zip/zip.reader.js.map',
        'dist/libs/zip/zip.test-support.js', // its source was renamed away
        'dist/libs/zip/zip.test-support.js.map',
        'dist/libs/zip/testing/zip.js', // its source is left out of the build
        'dist/libs/zip/zip.reader.spec.js',
        'dist/ui/assets/main-abc.js', // the UI bundle: not tsc's
        'dist/.tsbuildinfo',
      ])
        put(out);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('removes the outputs of missing or unbuilt sources and nothing else', () => {
      expect(pruneDist(root).sort()).toEqual([
        'dist/libs/zip/testing/zip.js',
        'dist/libs/zip/zip.reader.spec.js',
        'dist/libs/zip/zip.test-support.js',
        'dist/libs/zip/zip.test-support.js.map',
      ]);
      expect(
        filesUnder(join(root, 'dist'))
          .map((f) => relative(root, f))
          .sort(),
      ).toEqual([
        'dist/.tsbuildinfo',
        'dist/libs/zip/zip.reader.js',
        'dist/libs/zip/zip.reader.js.map',
        'dist/ui/assets/main-abc.js',
      ]);
      expect(existsSync(join(root, 'dist/libs/zip/testing'))).toBe(false);
      expect(pruneDist(root)).toEqual([]);
    });
  });
});
