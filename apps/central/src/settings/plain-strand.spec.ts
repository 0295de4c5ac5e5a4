import { agentsStrandedByPlainChange, plainPortsOf, type NodePlainPort } from './plain-strand.js';

const agent = (id: string, nodeId: string, listenerAddress = '10.0.0.5') => ({
  id,
  nodeId,
  remoteAddress: '10.0.0.99',
  listenerAddress,
});

describe("agentsStrandedByPlainChange: each agent judged on its own node's plain port", () => {
  const everywhere = { address: '0.0.0.0', port: 8787 };
  const nodes = new Map<string, NodePlainPort>([
    ['a', { port: 8787, fromVariable: false }],
    ['b', { port: 28787, fromVariable: true }],
  ]);
  const agents = [agent('on-a', 'a'), agent('on-b', 'b'), agent('local-on-b', 'b', '127.0.0.1')];

  it('a move of the settings port strands the agents of nodes that follow the settings only', () => {
    const ids = agentsStrandedByPlainChange(everywhere, { address: '0.0.0.0', port: 8788 }, agents, nodes);
    expect(ids.map((a) => a.id)).toEqual(['on-a']);
  });

  it('closing plain (fallback to 127.0.0.1) strands the remote agents of every node, not the local ones', () => {
    const ids = agentsStrandedByPlainChange(everywhere, { address: '127.0.0.1', port: 8787 }, agents, nodes);
    expect(ids.map((a) => a.id)).toEqual(['on-a', 'on-b']);
    expect(agentsStrandedByPlainChange(everywhere, undefined, agents, nodes).map((a) => a.id)).toEqual([
      'on-a',
      'on-b',
      'local-on-b',
    ]);
  });

  it('an agent of a node not listed is judged on the settings, and nothing is stranded from loopback', () => {
    const ids = agentsStrandedByPlainChange(
      everywhere,
      { address: '0.0.0.0', port: 8788 },
      [agent('elsewhere', 'gone')],
      nodes,
    );
    expect(ids.map((a) => a.id)).toEqual(['elsewhere']);
    expect(
      agentsStrandedByPlainChange({ address: '127.0.0.1', port: 8787 }, undefined, agents, nodes),
    ).toEqual([]);
  });

  it("reads each node's plain port and whether a variable set it from the node records", () => {
    const listener = { kind: 'plain' as const, address: '0.0.0.0', tls: false, connections: 0 };
    const record = {
      name: 'n',
      startedAt: new Date(),
      heartbeatAt: new Date(),
      alive: true,
      listenerFailures: [],
    };
    const ports = plainPortsOf([
      { ...record, id: 'a', listeners: [{ ...listener, port: 8787 }] },
      {
        ...record,
        id: 'b',
        listeners: [
          { ...listener, port: 28787, configuredPort: 8787, portFrom: 'SWITCHYARD_AGENT_PLAIN_PORT' },
        ],
      },
      { ...record, id: 'c', listeners: [] },
    ]);
    expect([...ports]).toEqual([
      ['a', { port: 8787, fromVariable: false }],
      ['b', { port: 28787, fromVariable: true }],
    ]);
  });
});

describe('agentsStrandedByPlainChange: a row behind the settings', () => {
  it('judges a node that follows the settings on the settings, not on a heartbeat row not yet updated', () => {
    // The row still shows 8787 while the node already moved to 9787 with the settings.
    const lagging = new Map<string, NodePlainPort>([['a', { port: 8787, fromVariable: false }]]);
    const local = agent('local', 'a', '127.0.0.1');
    expect(
      agentsStrandedByPlainChange(
        { address: '0.0.0.0', port: 9787 },
        { address: '127.0.0.1', port: 9787 },
        [local],
        lagging,
      ),
    ).toEqual([]);
  });
});
