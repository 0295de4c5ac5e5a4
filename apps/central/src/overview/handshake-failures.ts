import { eventCounters } from '../metrics/event-counters.js';

const METRIC = 'switchyard_agent_handshake_failures_total';

/** This node's refused agent connections since it started, by reason (the counters /metrics exports). */
export async function handshakeFailuresOfThisNode(): Promise<{
  total: number;
  byReason: Record<string, number>;
}> {
  const metric = eventCounters.getSingleMetric(METRIC);
  const byReason: Record<string, number> = {};
  if (!metric) return { total: 0, byReason };
  for (const v of (await metric.get()).values) {
    const reason = String(v.labels.reason ?? 'unknown');
    byReason[reason] = (byReason[reason] ?? 0) + v.value;
  }
  return { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason };
}
