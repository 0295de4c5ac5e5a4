import { randomBytes } from 'node:crypto';
import { type ClusterBus } from '../cluster/cluster-bus.js';
import { EventBus } from '../common/event-bus.js';
import { SecretBox } from '../crypto/secret-box.js';
import { TICKET_KEYS_ROTATION_SECONDS, TlsTicketKeys, chainSha256 } from './tls-ticket-keys.js';
import { type StoredTicketKeys, type TlsTicketKeysRepository } from './tls-ticket-keys.repository.js';

/** The one-row table in memory, with the repository's conditions (the SQL itself is covered in test/medium). */
class MemoryRow {
  row: (Omit<StoredTicketKeys, 'ageSeconds'> & { madeAt: number }) | undefined;
  now = 1_000_000;

  readonly repo: Pick<TlsTicketKeysRepository, 'find' | 'insertIfAbsent' | 'rotateIfDue'> = {
    find: () => Promise.resolve(this.row && { ...this.row, ageSeconds: (this.now - this.row.madeAt) / 1000 }),
    insertIfAbsent: (keysSealed, identitySha256) => {
      this.row ??= { keysSealed, identitySha256, generation: 1, madeAt: this.now };
      return Promise.resolve();
    },
    rotateIfDue: (keysSealed, maxAgeSeconds, identitySha256) => {
      const row = this.row!;
      const due =
        (this.now - row.madeAt) / 1000 >= maxAgeSeconds ||
        (identitySha256 !== undefined && row.identitySha256 !== identitySha256);
      if (!due) return Promise.resolve(undefined);
      this.row = {
        keysSealed,
        identitySha256: identitySha256 ?? row.identitySha256,
        generation: row.generation + 1,
        madeAt: this.now,
      };
      return Promise.resolve(this.row.generation);
    },
  };
}

describe('TlsTicketKeys: one set of ticket keys for the installation (ADR 53)', () => {
  const box = new SecretBox(randomBytes(32));
  const make = (table: MemoryRow, events = new EventBus()) => {
    const published: Array<{ generation: number }> = [];
    const cluster = {
      publish: (_event: string, payload: { generation: number }) => {
        published.push(payload);
        return Promise.resolve();
      },
    } as unknown as ClusterBus;
    const keys = new TlsTicketKeys(table.repo as TlsTicketKeysRepository, box, cluster, events);
    const changes: Buffer[] = [];
    keys.onChange((k) => changes.push(k));
    return { keys, published, changes };
  };
  const chainA = '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n';
  const chainB = '-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n';

  it('makes 48 random bytes at the first call, sealed: two nodes get the same keys', async () => {
    const table = new MemoryRow();
    const first = make(table);
    const second = make(table);
    const keys = await first.keys.forChain(chainA);
    expect(keys).toHaveLength(48);
    expect(await second.keys.forChain(chainA)).toEqual(keys);
    expect(table.row!.keysSealed).not.toContain(keys.toString('base64url'));
    expect(box.open(table.row!.keysSealed, 'tls-ticket-keys')).toEqual(keys);
    expect(table.row!.identitySha256).toBe(chainSha256(chainA));
    await Promise.all([first.keys.onModuleDestroy(), second.keys.onModuleDestroy()]);
  });

  it('rotates once for a new chain, tells the other nodes, and they take the new keys', async () => {
    const table = new MemoryRow();
    const node1 = make(table);
    const node2 = make(table);
    const before = await node1.keys.forChain(chainA);
    await node2.keys.forChain(chainA);
    const after = await node1.keys.forChain(chainB);
    expect(after).not.toEqual(before);
    expect(node1.published).toEqual([{ generation: 2 }]);
    expect(await node2.keys.forChain(chainB)).toEqual(after); // already rotated: no second rotation
    expect(table.row!.generation).toBe(2);
    expect(node2.published).toEqual([]);
    await Promise.all([node1.keys.onModuleDestroy(), node2.keys.onModuleDestroy()]);
  });

  it('rotates keys that are a day old at the next check, and hands the new ones to the listener', async () => {
    const table = new MemoryRow();
    const events = new EventBus();
    const node1 = make(table, events);
    const node2 = make(table, events);
    const before = await node1.keys.forChain(chainA);
    await node2.keys.forChain(chainA);
    table.now += (TICKET_KEYS_ROTATION_SECONDS - 60) * 1000;
    await node1.keys.refresh();
    expect(table.row!.generation).toBe(1); // not yet
    table.now += 120_000;
    await node1.keys.refresh();
    expect(table.row!.generation).toBe(2);
    expect(node1.changes).toHaveLength(1);
    expect(node1.changes[0]).not.toEqual(before);
    // The other node hears of it through the bus (here: the same EventBus) and reloads.
    events.emit('tls.ticket-keys.changed', node1.published[0]!);
    await node2.keys.refresh(); // joins the reload the event started
    expect(node2.changes).toEqual(node1.changes);
    expect(table.row!.identitySha256).toBe(chainSha256(chainA)); // an age rotation keeps the chain
    await Promise.all([node1.keys.onModuleDestroy(), node2.keys.onModuleDestroy()]);
  });
});
