import { type Worker } from 'node:cluster';
import {
  isMetricsMessage,
  type KeptFleetFigures,
  type MetricsMessage,
  type WorkerMetricsJson,
} from './worker-messages.js';

/** A worker that has not sent its figures within this is listed as missing: the scrape must not hang. */
const ANSWER_WITHIN_MS = 2_000;

interface Gathering {
  requester: Worker;
  requesterId: number;
  waitingFor: Set<string>;
  /** Workers that answered with an error instead of their figures. */
  failed: string[];
  workers: Array<{ worker: string; metrics: WorkerMetricsJson; kept?: KeptFleetFigures }>;
  timer: NodeJS.Timeout;
}

/**
 * The primary's part of `/metrics` in cluster mode (ADR 33): a scrape reaches one worker, which asks here
 * for the per-process figures of every running worker (itself included) to answer for the whole node.
 */
export class MetricsRelay {
  private nextId = 1;
  private readonly gatherings = new Map<number, Gathering>();

  constructor(private readonly running: () => Array<{ index: number; worker: Worker }>) {}

  /** Handles a metrics message from the worker in `slot`; false for any other message. */
  handle(slot: number, from: Worker, message: unknown): boolean {
    if (!isMetricsMessage(message)) return false;
    if (message.switchyard === 'node metrics?') this.gather(from, message.requestId);
    else if (message.switchyard === 'worker metrics') this.received(slot, message);
    return true;
  }

  private gather(requester: Worker, requesterId: number): void {
    const id = this.nextId++;
    const workers = this.running();
    const gathering: Gathering = {
      requester,
      requesterId,
      waitingFor: new Set(workers.map((w) => String(w.index))),
      failed: [],
      workers: [],
      timer: setTimeout(() => this.finish(id), ANSWER_WITHIN_MS),
    };
    gathering.timer.unref();
    this.gatherings.set(id, gathering);
    for (const { worker } of workers) send(worker, { switchyard: 'worker metrics?', requestId: id });
    if (workers.length === 0) this.finish(id);
  }

  private received(slot: number, message: Extract<MetricsMessage, { switchyard: 'worker metrics' }>): void {
    const gathering = this.gatherings.get(message.requestId);
    const worker = String(slot);
    if (!gathering || !gathering.waitingFor.delete(worker)) return;
    if (message.error === undefined)
      gathering.workers.push({
        worker,
        metrics: message.metrics,
        ...(message.kept ? { kept: message.kept } : {}),
      });
    else gathering.failed.push(worker);
    if (gathering.waitingFor.size === 0) this.finish(message.requestId);
  }

  private finish(id: number): void {
    const gathering = this.gatherings.get(id);
    if (!gathering) return;
    this.gatherings.delete(id);
    clearTimeout(gathering.timer);
    gathering.workers.sort((a, b) => Number(a.worker) - Number(b.worker));
    send(gathering.requester, {
      switchyard: 'node metrics',
      requestId: gathering.requesterId,
      workers: gathering.workers,
      missing: [...gathering.waitingFor, ...gathering.failed].sort((a, b) => Number(a) - Number(b)),
    });
  }
}

function send(worker: Worker, message: MetricsMessage): void {
  if (!worker.isConnected()) return;
  try {
    worker.send(message);
  } catch {
    // the worker is going away: it is listed as missing, or its scrape is gone with it
  }
}
