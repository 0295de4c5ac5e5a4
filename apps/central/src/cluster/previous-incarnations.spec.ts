import { hostname } from 'node:os';
import { deadIncarnations } from './previous-incarnations.js';
import { type NodeRecord } from './nodes.repository.js';

const node = (id: string, name: string): NodeRecord => ({
  id,
  name,
  startedAt: new Date(),
  heartbeatAt: new Date(),
  alive: true,
  listeners: [],
  listenerFailures: [],
});

describe('deadIncarnations', () => {
  const host = hostname();
  it('finds default-named nodes of this host whose process is gone, never a live one or another host', () => {
    const nodes = [
      node('self', `${host}-${process.pid}`),
      node('alive', `${host}-${process.pid}`),
      node('dead', `${host}-999999`),
      node('other-host', `elsewhere-999999`),
      node('named', 'central-a'),
    ];
    expect(
      deadIncarnations(nodes, { id: 'self', name: `${host}-${process.pid}` }, false).map((n) => n.id),
    ).toEqual(['dead']);
  });
  it('with an explicit node name, earlier rows of that name are dead', () => {
    const nodes = [node('old', 'central-a'), node('self', 'central-a'), node('b', 'central-b')];
    expect(deadIncarnations(nodes, { id: 'self', name: 'central-a' }, true).map((n) => n.id)).toEqual([
      'old',
    ]);
  });
});
