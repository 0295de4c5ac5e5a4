// Shared by the package.json `bin` commands: build only when the sources changed
// (scripts/build-if-stale.mjs), then run the compiled entry point in this process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale, REPO_ROOT } from '../scripts/build-if-stale.mjs';

/**
 * Runs dist/<main> with the command line this process got. With `nodeFlags` this process lacks (central's
 * `--max-semi-space-size`, ADR 20), it runs it as a child with them instead, passing signals on.
 */
export async function runBuilt(main, nodeFlags = []) {
  if (!buildIfStale()) {
    process.stderr.write('switchyard: the build failed (see above); not starting\n');
    process.exit(1);
  }
  const entry = join(REPO_ROOT, main);
  const given = new Set([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]);
  const missing = nodeFlags.filter((flag) => !given.has(flag));
  if (missing.length === 0) {
    await import(pathToFileURL(entry).href);
    return;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...missing, entry, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
