/** The log tail a diagnostics bundle carries by default: the newest 256 KiB of log lines. */
export const LOG_TAIL_BYTES = 256 * 1024;

/**
 * The newest lines the agent logged, in memory (ADR 44). The agent writes its log to stdout only (the
 * service manager keeps it: journald, WinSW's log files), so it has no file of its own to read back: this
 * ring keeps what a diagnostics bundle needs, bounded in bytes, oldest lines dropped first.
 */
export class LogTail {
  private readonly lines: string[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly maxBytes: number = LOG_TAIL_BYTES) {}

  /** A log writer that keeps each line here and hands it on to `write`. */
  tee(write: (line: string) => void): (line: string) => void {
    return (line) => {
      this.push(line);
      write(line);
    };
  }

  push(line: string): void {
    // A single line longer than the whole tail keeps only its end (and its newline still fits).
    const kept = line.length >= this.maxBytes ? line.slice(line.length - this.maxBytes + 1) : line;
    this.lines.push(kept);
    this.bytes += Buffer.byteLength(kept, 'utf8') + 1;
    while (this.bytes > this.maxBytes && this.head < this.lines.length - 1) {
      this.bytes -= Buffer.byteLength(this.lines[this.head]!, 'utf8') + 1;
      this.head++;
    }
    // Compact now and then so the array does not grow with every line ever logged.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The kept lines, oldest first, at most `limit` bytes (the newest win), one per line. */
  text(limit = this.maxBytes): string {
    const out: string[] = [];
    let used = 0;
    for (let i = this.lines.length - 1; i >= this.head; i--) {
      const size = Buffer.byteLength(this.lines[i]!, 'utf8') + 1;
      if (used + size > limit) break;
      out.push(this.lines[i]!);
      used += size;
    }
    return out.length === 0 ? '' : out.reverse().join('\n') + '\n';
  }
}
