import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { EventBus } from '../common/event-bus.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { SecretBox } from '../crypto/secret-box.js';
import { TlsTicketKeysRepository, type StoredTicketKeys } from './tls-ticket-keys.repository.js';

/** Bound as additional data of the seal: the ciphertext opens as ticket keys only. */
const PURPOSE = 'tls-ticket-keys';
/** Node's `ticketKeys`: 16 bytes of key name, 16 of HMAC key, 16 of AES key. */
export const TICKET_KEYS_BYTES = 48;
/**
 * How long one set of keys issues and accepts tickets (ADR 53). Node accepts tickets of its current keys
 * only, so a rotation ends every earlier ticket: the period bounds what a stolen key opens (TLS 1.2
 * tickets carry the master secret of their session) and how long a session can be resumed.
 */
export const TICKET_KEYS_ROTATION_SECONDS = 24 * 3600;
/** A node re-reads the row this often: it rotates keys that came of age, and catches a missed NOTIFY. */
const CHECK_EVERY_MS = 10 * 60_000;

/** sha256 of a certificate chain: new keys for a new chain, so no session resumes across the change. */
export function chainSha256(chainPem: string): string {
  return createHash('sha256').update(chainPem.trim()).digest('hex');
}

/**
 * The secure listener's TLS session ticket keys, one set for every worker and node of the installation
 * (ADR 53): created at the first start, sealed under the master key in `tls_ticket_keys`, rotated every
 * TICKET_KEYS_ROTATION_SECONDS and whenever the listener's certificate chain changes. A node that rotates
 * tells the others through the cluster bus; they reload. The keys are never logged nor returned by an API.
 */
@Injectable()
export class TlsTicketKeys implements OnModuleDestroy {
  private readonly logger = new Logger('listeners');
  private held: { keys: Buffer; generation: number } | undefined;
  private readonly listeners: Array<(keys: Buffer) => void> = [];
  private readonly check = new PeriodicTask(
    CHECK_EVERY_MS,
    () => this.sync(undefined),
    (error) => this.logger.warn(`TLS ticket keys: ${error.message}`),
  );

  constructor(
    private readonly repo: TlsTicketKeysRepository,
    private readonly secrets: SecretBox,
    private readonly cluster: ClusterBus,
    events: EventBus,
  ) {
    // Only a node that serves TLS holds keys; it reloads when another node rotated them.
    events.on('tls.ticket-keys.changed', ({ generation }) =>
      !this.held || generation === this.held.generation ? undefined : this.refresh(),
    );
  }

  /**
   * The keys for a listener presenting `chainPem`: made at the first call of the installation, rotated
   * first when they were made for another chain or are due. Later changes reach `onChange` listeners.
   */
  async forChain(chainPem: string): Promise<Buffer> {
    await this.sync(chainSha256(chainPem));
    this.check.start();
    return this.held!.keys;
  }

  /**
   * Re-reads the keys now, rotating them when they are due, and tells the `onChange` listeners if they
   * changed (what the periodic check and a NOTIFY of another node's rotation do). Never rejects.
   */
  refresh(): Promise<void> {
    return this.held ? this.check.runNow() : Promise.resolve();
  }

  /** Called with the new keys after another node (or this one's periodic check) rotated them. */
  onChange(listener: (keys: Buffer) => void): void {
    this.listeners.push(listener);
  }

  async onModuleDestroy(): Promise<void> {
    await this.check.stop();
  }

  /** Reads the row, creates or rotates when due, and adopts what is stored. */
  private async sync(identity: string | undefined): Promise<void> {
    let stored = await this.repo.find();
    if (!stored) {
      await this.repo.insertIfAbsent(this.newSealedKeys(), identity ?? 'unknown');
      stored = await this.repo.find();
      if (!stored) throw new Error('the TLS ticket keys could not be stored');
      if (stored.generation === 1 && !this.held) this.logger.log('created the TLS session ticket keys');
    }
    const why =
      stored.ageSeconds >= TICKET_KEYS_ROTATION_SECONDS
        ? `${Math.floor(stored.ageSeconds / 3600)} h old`
        : identity !== undefined && stored.identitySha256 !== identity
          ? 'the server certificate changed'
          : undefined;
    if (why) {
      const generation = await this.repo.rotateIfDue(
        this.newSealedKeys(),
        TICKET_KEYS_ROTATION_SECONDS,
        identity,
      );
      stored = (await this.repo.find()) ?? stored;
      if (generation !== undefined) {
        this.logger.log(`rotated the TLS session ticket keys (generation ${generation}: ${why})`);
        this.adopt(stored);
        await this.cluster.publish('tls.ticket-keys.changed', { generation });
        return;
      }
    }
    this.adopt(stored);
  }

  /** Takes the stored keys; a change after the first load goes to the listeners (running listeners rebuild). */
  private adopt(stored: StoredTicketKeys): void {
    if (stored.generation === this.held?.generation) return;
    const keys = this.secrets.open(stored.keysSealed, PURPOSE);
    if (keys.length !== TICKET_KEYS_BYTES)
      throw new Error(`stored TLS ticket keys are ${keys.length} bytes, not ${TICKET_KEYS_BYTES}`);
    const first = this.held === undefined;
    this.held = { keys, generation: stored.generation };
    if (!first) for (const listener of this.listeners) listener(keys);
  }

  private newSealedKeys(): string {
    return this.secrets.seal(randomBytes(TICKET_KEYS_BYTES), PURPOSE);
  }
}
