/**
 * Messages between the primary and its workers over the cluster IPC channel. Each carries a
 * `switchyard` key so that other users of the channel (prom-client's cluster support) are told apart.
 */
export type WorkerMessage =
  /** The worker asks for the database URL (kept out of its environment: it holds a password). */
  | { switchyard: 'database?' }
  /** The worker is a running node: its id (for the primary to forget when it dies) and its banner facts. */
  | {
      switchyard: 'running';
      nodeId: string;
      adminUrl: string;
      firstAdmin: { username: string; generatedPassword: string | undefined } | undefined;
    };

export type PrimaryMessage = { switchyard: 'database'; url: string };

/** The environment variable that tells a worker its slot (1…N): it names the node and the log prefix. */
export const WORKER_INDEX_VARIABLE = 'SWITCHYARD_WORKER_INDEX';

/** One worker's per-process metrics, as prom-client's `getMetricsAsJSON()` gives them (plain data). */
export type WorkerMetricsJson = unknown[];

/**
 * Costly fleet figures a worker keeps between scrapes, with their age: the worker a scrape reaches uses a
 * young enough one of any worker instead of reading it again (new connections go to any worker).
 */
export interface KeptFleetFigures {
  stranded?: { value: number; ageMs: number };
}

/**
 * `/metrics` for the whole node in cluster mode (ADR 33): the worker that got the scrape asks the primary
 * (`node metrics?`), the primary asks every running worker (`worker metrics?`), each answers with its
 * per-process metrics (`worker metrics`), and the primary hands them all back (`node metrics`), naming
 * the workers that did not answer in time.
 */
export type MetricsMessage =
  | { switchyard: 'node metrics?'; requestId: number }
  | { switchyard: 'worker metrics?'; requestId: number }
  | {
      switchyard: 'worker metrics';
      requestId: number;
      metrics: WorkerMetricsJson;
      error?: string;
      kept?: KeptFleetFigures;
    }
  | {
      switchyard: 'node metrics';
      requestId: number;
      workers: Array<{ worker: string; metrics: WorkerMetricsJson; kept?: KeptFleetFigures }>;
      missing: string[];
    };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return isObject(value) && (value.switchyard === 'database?' || value.switchyard === 'running');
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return isObject(value) && value.switchyard === 'database' && typeof value.url === 'string';
}

const METRICS_KINDS = new Set(['node metrics?', 'worker metrics?', 'worker metrics', 'node metrics']);

export function isMetricsMessage(value: unknown): value is MetricsMessage {
  return (
    isObject(value) &&
    typeof value.switchyard === 'string' &&
    METRICS_KINDS.has(value.switchyard) &&
    typeof value.requestId === 'number'
  );
}
