import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { DATABASE_URL } from '../database/database.module.js';

/**
 * First key of every node lease (PostgreSQL's two-int advisory lock form). The other advisory locks of
 * central use the one-bigint form, which PostgreSQL keeps apart (`objsubid` 1 vs 2), so they never meet.
 */
export const NODE_LEASE_CLASS = 0x53594e4c;

/** How soon a lost lease connection is opened again; the other nodes wait longer than this (ADR 34). */
const RECONNECT_AFTER_MS = 250;
const RECONNECT_AT_MOST_MS = 5_000;

/**
 * Server-side TCP keepalives on the lease connection: a host that vanishes without closing its
 * connection (power loss, cable) frees its lease after ~5 + 3×2 s instead of the kernel's two hours.
 * Ignored over a Unix socket, where the kernel always tells.
 */
const KEEPALIVE_SQL =
  'SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3';

/**
 * This node's liveness as PostgreSQL sees it (ADR 34): an advisory lock held by a connection of its own.
 * When the process dies, its connection closes and PostgreSQL releases the lock at once, so the other
 * nodes see the death within a second or two instead of after the 20 s heartbeat timeout (ADR 5).
 */
@Injectable()
export class NodeLease implements OnModuleDestroy {
  private readonly logger = new Logger('cluster');
  private client: pg.Client | undefined;
  private key = randomKey();
  private heldSince: number | undefined;
  /** When the lease was lost and why, while it is not held again (what `/api/ready` answers, ADR 34). */
  private loss: { since: number; reason: string; lastAttempt?: string } | undefined;
  private closing = false;
  private reconnectDelay = RECONNECT_AFTER_MS;
  private readonly regainedHandlers: Array<() => void> = [];

  constructor(@Inject(DATABASE_URL) private readonly url: string) {}

  /** Takes the lease; rejects when the database cannot be reached (the node then must not start). */
  async start(): Promise<void> {
    await this.acquire();
  }

  /** The key of the lease while it is held; undefined while the lease connection is down. */
  get heldKey(): number | undefined {
    return this.heldSince === undefined ? undefined : this.key;
  }

  /**
   * Why this node does not hold its lease now, or undefined while it does (and before it first took it:
   * the node is still starting then). A node without its lease may be declared dead by the others at
   * any moment, so a balancer must stop sending it agents.
   */
  notHeldBecause(now = Date.now()): string | undefined {
    if (!this.loss) return undefined;
    const seconds = ((now - this.loss.since) / 1000).toFixed(1);
    const attempt = this.loss.lastAttempt ? `; taking it again failed: ${this.loss.lastAttempt}` : '';
    return `node lease lost ${seconds} s ago (${this.loss.reason}${attempt}); other nodes may take this node for dead until it is held again`;
  }

  /**
   * The lease's own connection while the lease is held, for the heartbeat: a statement there never
   * queues behind the pool, which a storm can keep busy for longer than the other nodes wait for a
   * heartbeat (NODE_STALE_AFTER_SECONDS). Nothing else runs on it.
   */
  connection(): pg.Client | undefined {
    return this.heldSince === undefined ? undefined : this.client;
  }

  /** For how long the lease has been held without a break (0 while it is not held). */
  heldForMs(now = Date.now()): number {
    return this.heldSince === undefined ? 0 : now - this.heldSince;
  }

  /** Called each time the lease is held again after it was lost (the heartbeat publishes it at once). */
  onRegained(handler: () => void): void {
    this.regainedHandlers.push(handler);
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.heldSince = undefined;
    await this.client?.end().catch(() => undefined);
  }

  private async acquire(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'switchyard node lease',
      keepAlive: true,
    });
    let failure: string | undefined;
    client.on('error', (error) => {
      failure = error.message;
      this.logger.warn(`node lease connection: ${error.message}`);
    });
    client.on('end', () => this.lost(client, failure));
    try {
      await client.connect();
      await client.query(KEEPALIVE_SQL);
      // A key another live node holds (1 in 2^31 per pair) is replaced by another one.
      for (let attempt = 0; ; attempt++) {
        const result = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [
          NODE_LEASE_CLASS,
          this.key,
        ]);
        if (result.rows[0]?.held) break;
        if (attempt >= 4) throw new Error(`lease key ${this.key} is held by another connection`);
        this.key = randomKey();
      }
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    const regained = this.client !== undefined;
    this.client = client;
    this.heldSince = Date.now();
    this.loss = undefined;
    this.reconnectDelay = RECONNECT_AFTER_MS;
    if (regained) {
      this.logger.log(`node lease held again (key ${this.key})`);
      for (const handler of this.regainedHandlers) handler();
    }
  }

  private lost(client: pg.Client, failure: string | undefined): void {
    if (client !== this.client || this.closing) return;
    this.heldSince = undefined;
    this.loss = {
      since: Date.now(),
      reason: `its PostgreSQL connection closed${failure ? `: ${failure}` : ''}`,
    };
    this.logger.warn('node lease lost (its PostgreSQL connection closed); taking it again');
    this.retry();
  }

  private retry(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_AT_MOST_MS);
    setTimeout(() => {
      if (this.closing) return;
      this.acquire().catch((error: Error) => {
        if (this.loss) this.loss.lastAttempt = error.message.slice(0, 200);
        this.logger.warn(`node lease not taken again: ${error.message}`);
        this.retry();
      });
    }, delay).unref();
  }
}

function randomKey(): number {
  return randomInt(1, 2 ** 31 - 1);
}
