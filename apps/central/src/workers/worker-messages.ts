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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return isObject(value) && (value.switchyard === 'database?' || value.switchyard === 'running');
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return isObject(value) && value.switchyard === 'database' && typeof value.url === 'string';
}
