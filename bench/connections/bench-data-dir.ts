import { rmSync } from 'node:fs';
import {
  RELOCATED_CLUSTERS,
  removeAbandonedClusters,
} from '../../apps/central/src/database/server-user-access.js';

/**
 * Removes a bench run's temp folder (unless kept) and, with it, the embedded cluster central relocated
 * out of it when the postgres user could not reach it (~120 MB at 10,000 agents): otherwise the last
 * run's cluster stays until central next starts.
 */
export function removeBenchDataDir(root: string, keep: boolean, log: (line: string) => void): void {
  if (keep) {
    log(`kept ${root}`);
    return;
  }
  rmSync(root, { recursive: true, force: true });
  removeAbandonedClusters(RELOCATED_CLUSTERS, log);
}
