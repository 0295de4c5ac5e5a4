/**
 * How a swarm checks the bytes of a download without hashing 50 KB for every simulated agent: the first
 * copy of an archive is hashed, and kept once its sha256 is the announced one; every later copy must be
 * byte-identical to it. Both checks prove the same thing (these bytes have that sha256), but comparing
 * costs a tenth of hashing, and the swarm shares its two cores with the central it measures
 * (docs/benchmarks.md). Real agents hash on their own CPU.
 */
import { createHash, type Hash } from 'node:crypto';

export class VerifiedArchives {
  private readonly copies = new Map<string, Buffer>();

  /** A check of one download announced with this sha256. */
  check(sha256: string): ArchiveCheck {
    const copy = this.copies.get(sha256);
    return copy ? new CompareCheck(copy) : new HashCheck(sha256, (bytes) => this.copies.set(sha256, bytes));
  }
}

export interface ArchiveCheck {
  /** Feeds the next chunk of the body, in order; the chunk need not outlive the call. */
  update(chunk: Buffer): void;
  /** Whether the bytes fed are exactly the announced archive. */
  matches(): boolean;
}

class CompareCheck implements ArchiveCheck {
  private offset = 0;
  private same = true;

  constructor(private readonly copy: Buffer) {}

  update(chunk: Buffer): void {
    const end = this.offset + chunk.length;
    if (this.same) this.same = end <= this.copy.length && chunk.equals(this.copy.subarray(this.offset, end));
    this.offset = end;
  }

  matches(): boolean {
    return this.same && this.offset === this.copy.length;
  }
}

class HashCheck implements ArchiveCheck {
  private readonly hash: Hash = createHash('sha256');
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly sha256: string,
    private readonly keep: (bytes: Buffer) => void,
  ) {}

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.chunks.push(Buffer.from(chunk)); // the caller may reuse its buffer
  }

  matches(): boolean {
    if (this.hash.digest('hex') !== this.sha256) return false;
    this.keep(Buffer.concat(this.chunks));
    return true;
  }
}
