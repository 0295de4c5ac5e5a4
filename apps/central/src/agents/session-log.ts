/** What the session log writes to (Nest's Logger in central, a recorder in tests). */
export interface LineSink {
  log(message: string): void;
}

export interface SessionLogLimits {
  /** Session starts and ends logged one by one per window; past it they are only counted. */
  linesPerWindow: number;
  windowMs: number;
}

/** Enough to follow a handful of agents by name; a restart storm is summarized instead (ADR 36). */
export const SESSION_LOG_LIMITS: SessionLogLimits = { linesPerWindow: 20, windowMs: 10_000 };

/**
 * Session starts and ends at info level without a line per connection under load (ADR 36). Central wrote
 * two synchronous lines per connection (online, ended): in a restart storm of 10,000 agents that was
 * 20,000 lines and about a tenth of central's CPU per connection. The first `linesPerWindow` events of a
 * window are logged as before, so a small fleet reads the same; the rest are counted and summarized in
 * one line when the window ends.
 */
export class SessionLog {
  private logged = 0;
  private readonly unlogged = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: LineSink,
    private readonly held: () => number,
    private readonly limits: SessionLogLimits = SESSION_LOG_LIMITS,
  ) {}

  /** `kind` names the event in the summary (e.g. "online via secure"); `line` is built only if logged. */
  event(kind: string, line: () => string): void {
    this.timer ??= setTimeout(() => this.endWindow(), this.limits.windowMs).unref();
    if (this.logged < this.limits.linesPerWindow) {
      this.logged++;
      this.sink.log(line());
      return;
    }
    this.unlogged.set(kind, (this.unlogged.get(kind) ?? 0) + 1);
  }

  /** Writes the summary of the window now (central stopping, tests). */
  flush(): void {
    clearTimeout(this.timer);
    this.endWindow();
  }

  private endWindow(): void {
    this.timer = undefined;
    this.logged = 0;
    if (this.unlogged.size === 0) return;
    const counts = [...this.unlogged.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => `${n} ${kind}`)
      .join(', ');
    const total = [...this.unlogged.values()].reduce((a, b) => a + b, 0);
    this.unlogged.clear();
    const seconds = Math.round(this.limits.windowMs / 1000);
    this.sink.log(
      `${total} more agent session events in the last ${seconds} s, not logged one by one: ${counts}; ${this.held()} sessions held now`,
    );
  }
}
