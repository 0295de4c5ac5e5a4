/** One file of the agent package, as both archive writers take it. */
export interface ArchiveEntry {
  /** Forward-slash path inside the archive, e.g. `switchyard-agent-0.1.0/bin/switchyard-agent`. */
  path: string;
  data: Buffer;
  /** 0o755 for launchers, 0o644 otherwise. */
  mode: number;
}

/**
 * The fixed modification time of every entry: `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds
 * convention) or 2020-01-01T00:00:00Z, so the same sources give the same archive bytes.
 */
export function archiveTime(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined) {
    if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, not "${epoch}"`);
    return new Date(Number(epoch) * 1000);
  }
  return new Date(Date.UTC(2020, 0, 1));
}

/** Sorted by path, with every parent folder listed once before its contents (tar needs them for modes). */
export function withFolders(entries: readonly ArchiveEntry[]): Array<ArchiveEntry & { folder: boolean }> {
  const folders = new Set<string>();
  for (const entry of entries) {
    if (!isSafeArchivePath(entry.path)) throw new Error(`unsafe archive path "${entry.path}"`);
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  const all = [
    ...[...folders].map((path) => ({ path, data: Buffer.alloc(0), mode: 0o755, folder: true })),
    ...entries.map((entry) => ({ ...entry, folder: false })),
  ];
  return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function isSafeArchivePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.includes('\\') && !path.split('/').includes('..');
}
