import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeAbandonedClusters } from './server-user-access.js';

describe('removeAbandonedClusters', () => {
  let root: string;
  let clusters: string;
  const cluster = (id: string, owner: string, pid?: number) => {
    mkdirSync(join(clusters, id, 'base'), { recursive: true });
    writeFileSync(join(clusters, `${id}.owner`), owner + '\n');
    if (pid !== undefined) writeFileSync(join(clusters, id, 'postmaster.pid'), `${pid}\n/data\n`);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sy-clusters-'));
    clusters = join(root, 'clusters');
    mkdirSync(clusters);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes the cluster of a temporary data folder that is gone, and only that one', () => {
    const alive = join(root, 'still-here');
    mkdirSync(alive);
    cluster('gone', join(root, 'deleted-run', 'data'));
    cluster('alive', alive);
    cluster('elsewhere', '/srv/switchyard-not-mounted/data');
    cluster('running', join(root, 'deleted-too', 'data'), process.pid);
    const lines: string[] = [];

    removeAbandonedClusters(clusters, (line) => lines.push(line));

    expect(existsSync(join(clusters, 'gone'))).toBe(false);
    expect(existsSync(join(clusters, 'gone.owner'))).toBe(false);
    expect(existsSync(join(clusters, 'alive', 'base'))).toBe(true);
    expect(existsSync(join(clusters, 'elsewhere', 'base'))).toBe(true);
    expect(existsSync(join(clusters, 'running', 'base'))).toBe(true);
    expect(lines).toEqual([
      expect.stringMatching(/removed the embedded cluster .*gone: its temporary data folder .* is gone/),
    ]);
  });

  it('removes a temporary cluster whose server pid is no longer running', () => {
    cluster('stale-pid', join(root, 'deleted-run', 'data'), 2 ** 22 + 12345);
    removeAbandonedClusters(clusters, () => undefined);
    expect(existsSync(join(clusters, 'stale-pid'))).toBe(false);
  });

  it('does nothing when there is no clusters folder', () => {
    expect(() => removeAbandonedClusters(join(root, 'missing'), () => undefined)).not.toThrow();
  });
});
