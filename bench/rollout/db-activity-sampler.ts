/**
 * What central's PostgreSQL connections are doing, sampled from pg_stat_activity every `intervalMs`:
 * how many exist, how many are busy, and what the busy ones wait for (WAL flush, a lock, nothing = CPU).
 * A pool whose connections are all busy all the time is where requests queue.
 */
import pg from 'pg';

export interface DbActivity {
  samples: number;
  /** Mean number of central's connections, and of those not idle. */
  meanConnections: number;
  meanBusy: number;
  /** Share of samples in which every connection was busy. */
  allBusyShare: number;
  /** Busy connection-samples by `state wait_event_type:wait_event`, as shares of all busy ones. */
  busyBy: Array<{ what: string; share: number }>;
}

export class DbActivitySampler {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private samples = 0;
  private connections = 0;
  private busy = 0;
  private allBusy = 0;
  private readonly by = new Map<string, number>();

  constructor(
    private readonly url: string,
    private readonly intervalMs = 100,
  ) {}

  async start(): Promise<void> {
    this.client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    await this.client.connect();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  async stop(): Promise<DbActivity> {
    clearInterval(this.timer);
    while (this.polling) await new Promise((r) => setTimeout(r, 10));
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    const busyTotal = Math.max(this.busy, 1);
    return {
      samples: this.samples,
      meanConnections: this.connections / Math.max(this.samples, 1),
      meanBusy: this.busy / Math.max(this.samples, 1),
      allBusyShare: this.allBusy / Math.max(this.samples, 1),
      busyBy: [...this.by.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([what, n]) => ({ what, share: n / busyTotal })),
    };
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.client) return;
    this.polling = true;
    try {
      const r = await this.client.query<{ state: string | null; wait: string | null }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      const busy = r.rows.filter((row) => row.state !== 'idle');
      this.samples++;
      this.connections += r.rows.length;
      this.busy += busy.length;
      if (r.rows.length > 0 && busy.length === r.rows.length) this.allBusy++;
      for (const row of busy) {
        const what = `${row.state ?? '?'} ${row.wait ?? '(running)'}`;
        this.by.set(what, (this.by.get(what) ?? 0) + 1);
      }
    } catch {
      // a missed sample is no reason to fail the bench
    } finally {
      this.polling = false;
    }
  }
}
