import { type NodeIdentity } from '../cluster/node-identity.js';
import { type NodeLease } from '../cluster/node-lease.js';
import { type NodesRepository } from '../cluster/nodes.repository.js';
import { type DeadNodeSessionsRepository } from './dead-node-sessions.repository.js';
import { DeadNodeWatch } from './dead-node-watch.js';

describe('DeadNodeWatch', () => {
  const setup = (heldForMs: number) => {
    const released: string[][] = [];
    const marked: string[] = [];
    const deadSessions = {
      mark: (nodeId: string) => {
        marked.push(nodeId);
        return Promise.resolve(3);
      },
    } as unknown as DeadNodeSessionsRepository;
    const nodes = {
      withReleasedLease: () => Promise.resolve(released.shift() ?? []),
    } as unknown as NodesRepository;
    const lease = { heldForMs: () => heldForMs } as unknown as NodeLease;
    const watch = new DeadNodeWatch(deadSessions, nodes, lease, { id: 'self' } as NodeIdentity);
    return { watch, released, marked };
  };

  it('declares a node dead only when its lease is found released at two checks in a row', async () => {
    const { watch, released, marked } = setup(10_000);
    released.push(['a', 'blip'], ['a'], ['a'], []);
    await watch.check();
    expect(marked).toEqual([]); // first sight: only a suspect
    await watch.check();
    expect(marked).toEqual(['a']); // 'blip' took its lease again in between: never marked
    await watch.check();
    expect(marked).toEqual(['a']); // just marked: a suspect again, not marked twice in a row
    await watch.check();
    expect(marked).toEqual(['a']);
  });

  it('judges no one while its own lease is younger than 3 s (after a PostgreSQL restart)', async () => {
    const { watch, released, marked } = setup(1_000);
    released.push(['a'], ['a'], ['a']);
    await watch.check();
    await watch.check();
    await watch.check();
    expect(marked).toEqual([]);
  });
});
