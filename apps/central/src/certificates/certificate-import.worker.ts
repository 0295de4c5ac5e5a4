// Runs in a worker thread (certificate-import.thread.ts): reading an upload may derive keys for seconds
// (PKCS#12 MAC, encrypted keys), and central's event loop must keep serving agents and the API meanwhile.
// Plain on purpose: no NestJS, only libs/pki, so it loads fast and works from dist/.
import { parentPort, workerData } from 'node:worker_threads';
import { CertificateImportError, importServerIdentity } from '../../../../libs/pki/index.js';
import { type ImportAnswer, type ImportJob } from './certificate-import.job.js';

const job = workerData as ImportJob;
const files = job.files.map((f) => ({
  name: f.name,
  bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength),
}));

importServerIdentity(files, { password: job.password, hosts: job.hosts }).then(
  (identity) => answer({ ok: true, identity }),
  (error: unknown) =>
    answer({
      ok: false,
      error:
        error instanceof CertificateImportError
          ? { code: error.code, message: error.message, file: error.file }
          : { message: error instanceof Error ? error.message : String(error) },
    }),
);

function answer(result: ImportAnswer): void {
  parentPort?.postMessage(result);
}
