import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CertificateImportError,
  CertificateImportErrorCode,
  type ImportedServerIdentity,
  type ImportFile,
} from '../../../../libs/pki/index.js';
import { type ImportAnswer, type ImportJob } from './certificate-import.job.js';

const WORKER_FILE = 'certificate-import.worker.js';

export interface ImportThreadOptions {
  password: string | undefined;
  hosts: string[];
  /** The worker is stopped after this long and the import refused (TOO_SLOW). */
  timeoutMs: number;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs libs/pki's importServerIdentity in a worker thread, one import at a time, so that key derivation
 * (seconds for a PKCS#12 with many iterations) never blocks central's event loop: agents keep their
 * heartbeats and the API keeps answering. A worker that runs longer than `timeoutMs` is terminated.
 *
 * @throws CertificateImportError as importServerIdentity does, or TOO_SLOW.
 */
export function importInWorker(
  files: ImportFile[],
  options: ImportThreadOptions,
): Promise<ImportedServerIdentity> {
  const run = queue.then(() => runWorker(files, options));
  queue = run.catch(() => undefined);
  return run;
}

function runWorker(files: ImportFile[], options: ImportThreadOptions): Promise<ImportedServerIdentity> {
  const job: ImportJob = {
    files: files.map((f) => ({ name: f.name, bytes: f.bytes })),
    password: options.password,
    hosts: options.hosts,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), {
      workerData: job,
      // An upload is at most a few MiB; a runaway parse must not take central's memory with it.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      void worker.terminate();
    };
    const limit =
      options.timeoutMs >= 1000 ? `${Math.round(options.timeoutMs / 1000)} s` : `${options.timeoutMs} ms`;
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new CertificateImportError(
              CertificateImportErrorCode.TOO_SLOW,
              `reading ${files.map((f) => f.name).join(', ')} took longer than ${limit} and was stopped; ` +
                'export the files again with fewer iterations (e.g. openssl pkcs12 -export -iter 10000)',
            ),
          ),
        ),
      options.timeoutMs,
    );
    worker.once('message', (answer: ImportAnswer) =>
      settle(() => {
        if (answer.ok) return resolve(answer.identity);
        const { code, message, file } = answer.error;
        reject(code ? new CertificateImportError(code, message, { file }) : new Error(message));
      }),
    );
    worker.once('error', (error) =>
      settle(() => reject(new Error(`certificate import worker failed: ${error.message}`))),
    );
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`certificate import worker exited (${code}) without an answer`))),
    );
  });
}

/**
 * The built worker next to this file (dist/). From the TypeScript sources (jest), the same file under
 * dist/: Node cannot run the .ts worker itself, so tests need `npm run build` first (`npm test` does it).
 */
function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, WORKER_FILE);
  if (existsSync(sibling)) return sibling;
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const built = join(dir, 'dist', relative(dir, here), WORKER_FILE);
      if (existsSync(built)) return built;
      break;
    }
  }
  throw new Error(
    `the certificate import worker ${WORKER_FILE} is not built next to ${here}: run npm run build`,
  );
}
