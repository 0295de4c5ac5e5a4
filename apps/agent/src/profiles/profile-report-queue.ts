import type { ProfileStatus } from '../../../../libs/protocol/index.js';

/** Profile acknowledgements kept while disconnected; central re-checks everything at hello anyway. */
const MAX_PENDING_REPORTS = 16;

/**
 * `profile.status` reports on their way to central: sent at once when the connection takes them, else
 * kept (the newest 16) and sent after the next welcome — a switch to a candidate connection, or a
 * reconnect, must not lose the answer that says how it went.
 */
export class ProfileReportQueue {
  private pending: ProfileStatus[] = [];

  /** `send` answers false when there is no open connection to send on. */
  constructor(private readonly send: (status: ProfileStatus) => boolean) {}

  report(status: ProfileStatus): void {
    if (this.send(status)) return;
    this.pending.push(status);
    if (this.pending.length > MAX_PENDING_REPORTS) this.pending.shift();
  }

  /** Sends what waited, in order (anything still unsendable waits again). */
  flush(): void {
    for (const status of this.pending.splice(0)) this.report(status);
  }
}
