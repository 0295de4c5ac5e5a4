// Removes from dist/ what tsc emitted for sources that are gone or now left out of the build (specs,
// `testing/` folders). tsc never deletes an output, so a renamed test helper kept shipping as
// dist/libs/profile-archive/zip.test-support.js long after its source moved (issue 18, point 7).
// Runs after tsc in `npm run build`; dist/ui (the UI bundle) is not tsc's and is left alone.
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPILED_DIRS = ['apps', 'libs', 'migrations', 'bench'];
const OUTPUT = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

/** Whether tsconfig.build.json builds this source (relative to the repository root). */
function isBuilt(sourcePath) {
  const parts = sourcePath.split(sep);
  if (parts.includes('testing') || sourcePath.endsWith('.spec.ts')) return false;
  if (parts[0] === 'apps' && parts[1] === 'ui') return false;
  return true;
}

function sourceOf(root, outputPath) {
  const stem = relative(join(root, 'dist'), outputPath).replace(OUTPUT, '');
  return [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`].find((s) => existsSync(join(root, s)));
}

function prune(root, dir, removed) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(root, path, removed);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (OUTPUT.test(entry.name)) {
      const source = sourceOf(root, path);
      if (source && isBuilt(source)) continue;
      rmSync(path);
      removed.push(relative(root, path));
    }
  }
}

/** Deletes stale outputs under dist/{apps,libs,migrations,bench}; returns their paths. */
export function pruneDist(root = REPO_ROOT) {
  const removed = [];
  for (const dir of COMPILED_DIRS) {
    const out = join(root, 'dist', dir);
    if (existsSync(out)) prune(root, out, removed);
  }
  return removed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const removed = pruneDist();
  if (removed.length > 0) console.log(`dist: removed ${removed.length} stale file(s) tsc left behind`);
}
