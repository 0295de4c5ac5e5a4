import { Counter, Gauge, Registry } from 'prom-client';
import { mergeWorkerMetrics } from './node-metrics.merge.js';

/** One worker's per-process registry, as it would send it to the primary. */
async function worker(connections: number, sockets: number, failures: number) {
  const registry = new Registry();
  new Gauge({
    name: 'switchyard_listener_connections',
    help: 'h',
    labelNames: ['listener'],
    registers: [registry],
  }).set({ listener: 'plain' }, connections);
  new Gauge({ name: 'switchyard_agent_sockets', help: 'h', labelNames: ['kind'], registers: [registry] }).set(
    { kind: 'open' },
    sockets,
  );
  new Gauge({
    name: 'switchyard_central_process_resident_memory_bytes',
    help: 'h',
    registers: [registry],
  }).set(1000 + sockets);
  new Counter({
    name: 'switchyard_agent_handshake_failures_total',
    help: 'h',
    labelNames: ['reason'],
    registers: [registry],
  }).inc({ reason: 'tls' }, failures);
  return registry.getMetricsAsJSON();
}

describe('mergeWorkerMetrics: one exposition for all the workers of a node', () => {
  it('sums what adds up, labels per-process figures with their worker, and says who answered', async () => {
    const text = await mergeWorkerMetrics(
      [
        { worker: '1', metrics: await worker(120, 121, 2) },
        { worker: '2', metrics: await worker(80, 81, 3) },
      ],
      ['3'],
    ).metrics();
    expect(text).toContain('switchyard_listener_connections{listener="plain"} 200');
    expect(text).toContain('switchyard_agent_handshake_failures_total{reason="tls"} 5');
    expect(text).toContain('switchyard_agent_sockets{kind="open",worker="1"} 121');
    expect(text).toContain('switchyard_agent_sockets{kind="open",worker="2"} 81');
    expect(text).toContain('switchyard_central_process_resident_memory_bytes{worker="1"} 1121');
    expect(text).toContain('switchyard_central_process_resident_memory_bytes{worker="2"} 1081');
    expect(text).toContain('switchyard_node_workers{state="answered"} 2');
    expect(text).toContain('switchyard_node_workers{state="missing"} 1');
  });
});
