import { isMetricsMessage, type KeptFleetFigures, type MetricsMessage } from '../workers/worker-messages.js';
import { type MetricsJson } from './node-metrics.merge.js';

type NodeMetrics = Extract<MetricsMessage, { switchyard: 'node metrics' }>;

/** The primary gives the workers 2 s; past this the worker answers the scrape with what it has. */
const NODE_METRICS_WITHIN_MS = 3_000;

/**
 * A cluster worker's side of `/metrics` for the whole node (ADR 33): it answers the primary's requests
 * for this process's figures, and asks the primary for every worker's figures when it gets a scrape.
 */
export class WorkerMetricsLink {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: NodeMetrics | undefined) => void>();
  private readonly onMessage = (message: unknown) => {
    if (!isMetricsMessage(message)) return;
    if (message.switchyard === 'worker metrics?') void this.answer(message.requestId);
    else if (message.switchyard === 'node metrics') this.pending.get(message.requestId)?.(message);
  };

  constructor(
    private readonly own: () => Promise<MetricsJson>,
    private readonly kept: () => KeptFleetFigures = () => ({}),
  ) {
    process.on('message', this.onMessage);
  }

  close(): void {
    process.off('message', this.onMessage);
    for (const resolve of this.pending.values()) resolve(undefined);
  }

  /** Every worker's figures, or undefined when the primary did not answer in time (or is gone). */
  node(): Promise<NodeMetrics | undefined> {
    const requestId = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), NODE_METRICS_WITHIN_MS);
      const done = (reply: NodeMetrics | undefined) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(reply);
      };
      this.pending.set(requestId, done);
      if (!send({ switchyard: 'node metrics?', requestId })) done(undefined);
    });
  }

  private async answer(requestId: number): Promise<void> {
    try {
      send({ switchyard: 'worker metrics', requestId, metrics: await this.own(), kept: this.kept() });
    } catch (error) {
      send({ switchyard: 'worker metrics', requestId, metrics: [], error: (error as Error).message });
    }
  }
}

function send(message: MetricsMessage): boolean {
  if (!process.send || !process.connected) return false;
  try {
    // `false` means a backlog, not a loss: the message is still sent.
    process.send(message);
    return true;
  } catch {
    return false;
  }
}
