import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Jest global setup: one temp folder per test run, made the temp folder (TMPDIR) of every worker and of
 * every process the tests start, so the run's temp files — agent homes, data folders, browser profiles,
 * embedded clusters' data — are removed together by the global teardown. Removing them from inside the
 * workers did not work: jest ends its workers without running their exit handlers, and each full run
 * left ~3,000 folders behind.
 */
export default function setup(): void {
  const root = mkdtempSync(join(tmpdir(), 'sy-test-run-'));
  // The embedded PostgreSQL runs as the postgres user, which must be able to traverse to its folders.
  chmodSync(root, 0o755);
  process.env.SWITCHYARD_TEST_RUN_DIR = root;
  process.env.TMPDIR = root;
}
