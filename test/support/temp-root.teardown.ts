import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Where central relocates a cluster whose data folder the postgres user cannot reach. */
const RELOCATED_CLUSTERS = '/var/lib/switchyard/clusters';

/**
 * Jest global teardown: removes the run's temp folder (see temp-root.setup.ts), then the embedded
 * clusters central relocated for data folders inside it. (Jest does not map `.js` imports in global
 * hooks, so central's own clean-up, removeAbandonedClusters, cannot be imported here.) A cluster whose
 * server is still running is left alone.
 */
export default function teardown(): void {
  const root = process.env.SWITCHYARD_TEST_RUN_DIR;
  if (!root) return;
  const inRun = realpathSync(root) + sep;
  rmSync(root, { recursive: true, force: true });
  if (!existsSync(RELOCATED_CLUSTERS)) return;
  for (const name of readdirSync(RELOCATED_CLUSTERS).filter((n) => n.endsWith('.owner'))) {
    const owner = join(RELOCATED_CLUSTERS, name);
    const cluster = owner.slice(0, -'.owner'.length);
    let dataDir: string;
    try {
      dataDir = readFileSync(owner, 'utf8');
    } catch {
      continue; // removed meanwhile by another run's teardown or central's own clean-up
    }
    if (!dataDir.startsWith(inRun)) continue;
    if (existsSync(join(cluster, 'postmaster.pid'))) continue;
    rmSync(cluster, { recursive: true, force: true });
    rmSync(owner, { force: true });
  }
}
