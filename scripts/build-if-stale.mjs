// Runs `npm run build` only when the sources changed since the last build this script made (issue 17,
// point 2): `npm start`, `npm run agent|certmgr|migrate` and the package.json `bin` commands start at once
// when nothing changed instead of spending 8-13 s in tsc and the UI build.
//
// "Changed" = a file the build reads (apps, libs, migrations, bench, except specs and tests; tsconfig*,
// package.json, package-lock.json) is newer than the stamp, or the list of those files differs from the
// one recorded (a deleted or renamed file leaves an old .js behind that tsc would not notice).
// SWITCHYARD_BUILD=always forces the build, SWITCHYARD_BUILD=never skips it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['apps', 'libs', 'migrations', 'bench'];
const ROOT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'testing', 'screenshots']);

/** The stamp lives in dist/: removing dist/ (a clean build) removes it too. */
export function stampFile(root = REPO_ROOT) {
  return join(root, 'dist', '.build-stamp');
}

function walk(dir, files) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // a source folder that does not exist in this checkout
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, files);
    } else if (entry.isFile() && !entry.name.endsWith('.spec.ts')) {
      files.push(path);
    }
  }
}

/** What the build depends on: the sorted file list's hash and the newest modification time. */
export function sourceFingerprint(root = REPO_ROOT) {
  const files = [];
  for (const dir of SOURCE_DIRS) walk(join(root, dir), files);
  for (const file of ROOT_FILES) if (existsSync(join(root, file))) files.push(join(root, file));
  const names = files.map((f) => relative(root, f)).sort();
  let newestMs = 0;
  for (const file of files) newestMs = Math.max(newestMs, statSync(file).mtimeMs);
  const listHash = createHash('sha256').update(names.join('\n')).digest('hex');
  return { files: names.length, listHash, newestMs };
}

/** Why a build is needed, or undefined when dist/ is up to date. */
export function staleReason(root = REPO_ROOT, now = sourceFingerprint(root)) {
  const stamp = stampFile(root);
  if (!existsSync(stamp)) return 'no build stamp (first build, or dist/ was removed)';
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(stamp, 'utf8'));
  } catch {
    return `unreadable build stamp ${stamp}`;
  }
  if (recorded.listHash !== now.listHash) return 'source files were added, removed or renamed';
  if (now.newestMs > statSync(stamp).mtimeMs) return 'sources are newer than the last build';
  return undefined;
}

/**
 * Builds when needed; returns false when the build failed. The stamp gets the time the build STARTED,
 * so a file saved during the build makes the next call build again.
 */
export function buildIfStale(root = REPO_ROOT, log = (line) => process.stderr.write(`${line}\n`)) {
  const mode = process.env.SWITCHYARD_BUILD ?? 'auto';
  if (mode === 'never') return true;
  const startedAt = new Date();
  const now = sourceFingerprint(root);
  const reason = mode === 'always' ? 'SWITCHYARD_BUILD=always' : staleReason(root, now);
  if (reason === undefined) return true;
  log(`switchyard: building (${reason})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) return false;
  writeFileSync(stampFile(root), `${JSON.stringify(now)}\n`);
  utimesSync(stampFile(root), startedAt, startedAt);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(buildIfStale() ? 0 : 1);
}
