/** What waits for its hello: told once its time is up, unless removed first. */
export interface AwaitingHello {
  helloOverdue(): void;
}

/**
 * The time every new session has to send `hello`, kept for all sessions with one timer (ADR 54) instead
 * of a `setTimeout` per connection (a Timeout and a closure per agent, cleared a moment later by its
 * hello). All sessions get the same time, so arrival order is deadline order: a Map keeps both, and the
 * one timer is set for the oldest deadline.
 */
export class HelloDeadlines {
  private readonly waiting = new Map<AwaitingHello, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(timeoutMs > 0)) throw new Error(`hello timeout must be > 0 ms, got ${timeoutMs}`);
  }

  add(session: AwaitingHello): void {
    if (this.waiting.has(session)) return;
    this.waiting.set(session, this.now() + this.timeoutMs);
    this.timer ??= this.schedule(this.timeoutMs);
  }

  remove(session: AwaitingHello): void {
    if (!this.waiting.delete(session) || this.waiting.size > 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get size(): number {
    return this.waiting.size;
  }

  private schedule(delayMs: number): NodeJS.Timeout {
    // Unref'd: the sockets keep the process alive, a deadline must not.
    return setTimeout(() => this.expire(), Math.max(0, delayMs)).unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.now();
    const overdue: AwaitingHello[] = [];
    for (const [session, deadline] of this.waiting) {
      if (deadline > now) {
        this.timer = this.schedule(deadline - now);
        break;
      }
      this.waiting.delete(session);
      overdue.push(session);
    }
    // Timers run before sockets are read: after a stall of this process (a restart storm on a busy
    // machine) a hello that has arrived may still be unread. Give it that read before giving up.
    if (overdue.length > 0)
      setImmediate(() => {
        for (const session of overdue) {
          try {
            session.helloOverdue();
          } catch {
            // One session's failure must not keep the others open; its socket's own errors end it.
          }
        }
      });
  }
}
