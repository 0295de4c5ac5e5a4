import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { EventBus, type CentralEvents } from '../common/event-bus.js';
import { DATABASE_URL } from '../database/database.module.js';
import { DataSource } from 'typeorm';
import { NodeIdentity } from './node-identity.js';

const CHANNEL = 'switchyard_events';

interface Envelope {
  from: string;
  event: keyof CentralEvents;
  payload: unknown;
}

/** Something that tells every central node about an event (ClusterBus in central, a NOTIFY in CLIs). */
export interface EventPublisher {
  publish<K extends keyof CentralEvents>(event: K, payload: CentralEvents[K]): Promise<void>;
}

/** Sends one event to every running node, as a process that is not a node itself (e.g. certmgr). */
export async function notifyNodes<K extends keyof CentralEvents>(
  db: Pick<DataSource, 'query'>,
  from: string,
  event: K,
  payload: CentralEvents[K],
): Promise<void> {
  const envelope: Envelope = { from, event, payload };
  await db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(envelope)]);
}

/**
 * Carries events to every central node through PostgreSQL LISTEN/NOTIFY (docs/design.md §2: no second
 * coordination system). The local node handles its own events directly, not through the echo.
 */
@Injectable()
export class ClusterBus implements EventPublisher, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('cluster');
  private client: pg.Client | undefined;
  private closing = false;

  constructor(
    @Inject(DATABASE_URL) private readonly url: string,
    private readonly dataSource: DataSource,
    private readonly events: EventBus,
    private readonly node: NodeIdentity,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.client?.end().catch(() => undefined);
  }

  /** Emits locally now and on every other node through NOTIFY. */
  async publish<K extends keyof CentralEvents>(event: K, payload: CentralEvents[K]): Promise<void> {
    this.events.emit(event, payload);
    await notifyNodes(this.dataSource, this.node.id, event, payload);
  }

  /** Many events of one kind (a bulk revoke): emitted here one by one, sent to the other nodes in one statement. */
  async publishMany<K extends keyof CentralEvents>(
    event: K,
    payloads: Array<CentralEvents[K]>,
  ): Promise<void> {
    if (payloads.length === 0) return;
    for (const payload of payloads) this.events.emit(event, payload);
    const envelopes = payloads.map((payload) =>
      JSON.stringify({ from: this.node.id, event, payload } satisfies Envelope),
    );
    await this.dataSource.query('SELECT count(pg_notify($1, e)) FROM unnest($2::text[]) AS e', [
      CHANNEL,
      envelopes,
    ]);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (error) => this.logger.warn(`LISTEN connection lost: ${error.message}`));
    client.on('end', () => {
      if (!this.closing)
        setTimeout(() => void this.connect().catch((e: Error) => this.logger.warn(e.message)), 1000);
    });
    client.on('notification', (msg) => this.receive(msg.payload));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private receive(raw: string | undefined): void {
    try {
      const envelope = JSON.parse(raw ?? '') as Envelope;
      if (envelope.from === this.node.id) return;
      this.events.emit(envelope.event, envelope.payload as never);
    } catch {
      this.logger.warn('ignored a malformed cluster notification');
    }
  }
}
