import { AggregatorRegistry, Gauge, type PrometheusContentType, type Registry } from 'prom-client';

/** One registry's metrics as plain data (`getMetricsAsJSON()`), as a worker sends them over IPC. */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Figures that mean something per process only, kept apart by a `worker` label: the process metrics
 * (CPU, memory, event-loop lag, handles: prefix `switchyard_central_`) and the agent sockets against
 * each worker's own descriptor budget (ADR 26). Everything else a worker counts (connections per
 * listener, refusals, handshake and enrollment failures) is summed into the node's figure.
 */
export function isPerWorkerMetric(name: string): boolean {
  return name.startsWith('switchyard_central_') || name === 'switchyard_agent_sockets';
}

/**
 * The per-process metrics of a node's workers as one registry (ADR 33): per-worker figures labelled
 * `worker`, the rest summed by label set, and `switchyard_node_workers` saying how many workers answered.
 */
export function mergeWorkerMetrics(
  workers: Array<{ worker: string; metrics: MetricsJson }>,
  missing: string[],
): Registry {
  const labelled = workers.map(({ worker, metrics }) =>
    metrics.map((metric) => ({
      ...metric,
      // Summing keeps every worker's own series apart once it carries its `worker` label.
      aggregator: 'sum' as const,
      values: isPerWorkerMetric(metric.name)
        ? metric.values.map((v) => ({ ...v, labels: { ...v.labels, worker } }))
        : metric.values,
    })),
  );
  const merged: Registry = AggregatorRegistry.aggregate<PrometheusContentType>(labelled);
  const answered = new Gauge({
    name: 'switchyard_node_workers',
    help: 'Workers of this node whose figures are in this scrape (answered), and those that did not answer in time (missing)',
    labelNames: ['state'],
    registers: [merged],
  });
  answered.set({ state: 'answered' }, workers.length);
  answered.set({ state: 'missing' }, missing.length);
  return merged;
}
