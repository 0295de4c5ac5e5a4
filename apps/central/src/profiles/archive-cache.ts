/**
 * Revision archives by sha256, kept in memory: revisions are immutable, and during a rollout thousands
 * of agents fetch the same few archives — reading a 50 KB bytea from PostgreSQL for each download was a
 * large part of the rollout bench's database load. Bounded by total bytes; least recently used goes first.
 */
export class ArchiveCache {
  private readonly entries = new Map<string, Buffer>();
  /** Reads under way: the first downloads of a push arrive together and share one read. */
  private readonly loading = new Map<string, Promise<Buffer | undefined>>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(sha256: string): Buffer | undefined {
    const archive = this.entries.get(sha256);
    if (archive) {
      this.entries.delete(sha256); // re-insert: Map order is the recency order
      this.entries.set(sha256, archive);
    }
    return archive;
  }

  /** The archive from the cache, or read once by `read` however many ask for it meanwhile. */
  load(sha256: string, read: () => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
    const cached = this.get(sha256);
    if (cached) return Promise.resolve(cached);
    let pending = this.loading.get(sha256);
    if (!pending) {
      pending = read()
        .then((archive) => {
          if (archive) this.set(sha256, archive);
          return archive;
        })
        .finally(() => this.loading.delete(sha256));
      this.loading.set(sha256, pending);
    }
    return pending;
  }

  set(sha256: string, archive: Buffer): void {
    if (archive.length > this.maxBytes || this.entries.has(sha256)) return;
    this.entries.set(sha256, archive);
    this.bytes += archive.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.length;
    }
  }
}
