import { NodeHeartbeat } from './node-heartbeat.js';

/** A NodesRepository whose upsert waits until released, and which records the order of calls. */
function fakes() {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  let rowExists = false;
  const nodes = {
    upsert: async () => {
      calls.push('upsert');
      await new Promise<void>((r) => (release = r));
      const created = !rowExists;
      rowExists = true;
      return created;
    },
    pruneDead: async () => undefined,
    remove: async () => {
      calls.push('remove');
      rowExists = false;
    },
  };
  const closed: string[] = [];
  const heartbeat = new NodeHeartbeat(
    { id: 'n1', name: 'n1' } as never,
    nodes as never,
    { bound: () => [], failures: () => [] } as never,
    { heldKey: 1, connection: () => undefined } as never,
    { closeTransport: (t: string) => (closed.push(t), 0) } as never,
  );
  return { heartbeat, calls, closed, release: () => release() };
}

describe('NodeHeartbeat', () => {
  it('runs one beat at a time: a beat asked for while one is in flight joins it', async () => {
    const f = fakes();
    const first = f.heartbeat.beat();
    const second = f.heartbeat.beat();
    f.release();
    await Promise.all([first, second]);
    expect(f.calls).toEqual(['upsert']);
  });

  it('shutdown waits for the beat in flight, then removes the row; no beat writes it back or closes sessions', async () => {
    const f = fakes();
    await (async () => {
      const first = f.heartbeat.beat();
      f.release();
      await first;
    })();
    const late = f.heartbeat.beat();
    const stopped = f.heartbeat.onModuleDestroy();
    f.release();
    await Promise.all([late, stopped]);
    await f.heartbeat.beat(); // after shutdown: nothing
    expect(f.calls).toEqual(['upsert', 'upsert', 'remove']);
    expect(f.closed).toEqual([]);
  });
});
