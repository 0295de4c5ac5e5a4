/**
 * Downloads profile archives for the simulated agents of one swarm: `GET /profiles/<sha256>.zip` on the
 * listener an agent is connected to, with that agent's upgrade headers, over a keep-alive pool, at most
 * `concurrency` at a time. Checks the size and the bytes (verified-archives.ts); never unzips (the figures are
 * central's).
 */
import { type Dispatcher, Pool } from 'undici';
import {
  AGENT_ID_HEADER,
  MAX_PROFILE_ARCHIVE_BYTES,
  PROFILE_DOWNLOAD_PATH,
} from '../../libs/protocol/index.js';
import { Semaphore } from './semaphore.js';
import { VerifiedArchives } from './verified-archives.js';

export interface DownloaderOptions {
  /** `http://host:port` or `https://host:port` of the agent listener. */
  baseUrl: string;
  /** PEM trusted for https (central's server chain). */
  ca?: string;
  concurrency: number;
  /** One request (waiting excluded) fails after this long. */
  timeoutMs: number;
}

export interface DownloadRequest {
  agentId: string;
  credential: string;
  sha256: string;
  sizeBytes: number;
}

export type DownloadResult =
  | { ok: true; bytes: number; queuedMs: number; downloadMs: number }
  | { ok: false; reason: string; queuedMs: number; downloadMs: number };

export class ProfileDownloader {
  // undici rather than node:http: the simulated agents must cost as little CPU as possible, since they
  // share the machine with the central they measure (node:http's client took ~40% of a swarm's CPU).
  private readonly pool: Pool;
  private readonly slots: Semaphore;
  private readonly archives = new VerifiedArchives();

  constructor(private readonly options: DownloaderOptions) {
    this.pool = new Pool(options.baseUrl, {
      connections: options.concurrency,
      pipelining: 1,
      connect: options.baseUrl.startsWith('https:') ? { ca: options.ca, servername: 'localhost' } : undefined,
    });
    this.slots = new Semaphore(options.concurrency);
  }

  /** Waits for a slot, fetches, verifies. Never rejects. */
  async download(req: DownloadRequest): Promise<DownloadResult> {
    const queuedAt = performance.now();
    const release = await this.slots.acquire();
    const startedAt = performance.now();
    const queuedMs = startedAt - queuedAt;
    try {
      const outcome = await this.fetchVerified(req);
      const downloadMs = performance.now() - startedAt;
      return typeof outcome === 'number'
        ? { ok: true, bytes: outcome, queuedMs, downloadMs }
        : { ok: false, reason: outcome.reason, queuedMs, downloadMs };
    } finally {
      release();
    }
  }

  close(): void {
    void this.pool.destroy();
  }

  /**
   * The byte count when the archive is what the frame announced, else why not. Raw undici handler
   * callbacks rather than `request()`'s body stream: no stream, async iterator or promise per chunk.
   */
  private fetchVerified(req: DownloadRequest): Promise<number | { reason: string }> {
    return new Promise((resolve) => {
      let status = 0;
      let bytes = 0;
      let tooLarge = false;
      const check = this.archives.check(req.sha256);
      const handler: Dispatcher.DispatchHandler = {
        // Its presence tells undici this handler speaks the current callback API.
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: (controller, chunk) => {
          bytes += chunk.length;
          if (bytes > MAX_PROFILE_ARCHIVE_BYTES) {
            tooLarge = true;
            controller.abort(new Error('archive larger than the protocol limit'));
          } else if (status === 200) check.update(chunk);
        },
        onResponseEnd: () => {
          if (status !== 200) resolve({ reason: `HTTP ${status}` });
          else if (bytes !== req.sizeBytes) resolve({ reason: `size ${bytes} ≠ announced ${req.sizeBytes}` });
          else if (!check.matches()) resolve({ reason: 'sha256 mismatch' });
          else resolve(bytes);
        },
        onResponseError: (_controller, error: Error & { code?: string }) => {
          if (tooLarge) return resolve({ reason: 'archive larger than the protocol limit' });
          const timeout = error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT';
          resolve({ reason: timeout ? 'download timeout' : (error.code ?? error.message.slice(0, 80)) });
        },
      };
      try {
        this.pool.dispatch(
          {
            method: 'GET',
            path: `${PROFILE_DOWNLOAD_PATH}${req.sha256}.zip`,
            headers: { authorization: `Bearer ${req.credential}`, [AGENT_ID_HEADER]: req.agentId },
            headersTimeout: this.options.timeoutMs,
            bodyTimeout: this.options.timeoutMs,
          },
          handler,
        );
      } catch (error) {
        // undici reports through the handler; this is for a pool closed under the request.
        resolve({ reason: (error as Error).message.slice(0, 80) });
      }
    });
  }
}
