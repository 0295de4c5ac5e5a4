/**
 * Downloads profile archives for the simulated agents of one swarm: `GET /profiles/<sha256>.zip` on the
 * listener an agent is connected to, with that agent's upgrade headers, over a keep-alive pool, at most
 * `concurrency` at a time. Checks the size and sha256 of the bytes; never unzips (the figures are central's).
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  AGENT_ID_HEADER,
  MAX_PROFILE_ARCHIVE_BYTES,
  PROFILE_DOWNLOAD_PATH,
} from '../../libs/protocol/index.js';
import { Semaphore } from './semaphore.js';

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
  private readonly pool: HttpAgent;
  private readonly slots: Semaphore;
  private readonly secure: boolean;

  constructor(private readonly options: DownloaderOptions) {
    this.secure = options.baseUrl.startsWith('https:');
    const poolOptions = {
      keepAlive: true,
      maxSockets: options.concurrency,
      maxFreeSockets: options.concurrency,
    };
    this.pool = this.secure
      ? new HttpsAgent({ ...poolOptions, ca: options.ca, servername: 'localhost' })
      : new HttpAgent(poolOptions);
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
    this.pool.destroy();
  }

  /** The byte count when the archive is what the frame announced, else why not. */
  private fetchVerified(req: DownloadRequest): Promise<number | { reason: string }> {
    const url = new URL(`${PROFILE_DOWNLOAD_PATH}${req.sha256}.zip`, this.options.baseUrl);
    const send = this.secure ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (value: number | { reason: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        settle({ reason: 'download timeout' });
        request.destroy();
      }, this.options.timeoutMs);
      const request = send(
        url,
        {
          agent: this.pool,
          headers: { authorization: `Bearer ${req.credential}`, [AGENT_ID_HEADER]: req.agentId },
        },
        (res) => this.readBody(res, req, settle),
      );
      request.on('error', (error: Error & { code?: string }) =>
        settle({ reason: error.code ?? error.message.slice(0, 80) }),
      );
      request.end();
    });
  }

  private readBody(
    res: IncomingMessage,
    req: DownloadRequest,
    settle: (value: number | { reason: string }) => void,
  ): void {
    if (res.statusCode !== 200) {
      res.resume();
      return settle({ reason: `HTTP ${res.statusCode ?? '?'}` });
    }
    const hash = createHash('sha256');
    let bytes = 0;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_PROFILE_ARCHIVE_BYTES) {
        settle({ reason: 'archive larger than the protocol limit' });
        res.destroy();
        return;
      }
      hash.update(chunk);
    });
    res.on('error', (error: Error & { code?: string }) => settle({ reason: error.code ?? 'body error' }));
    res.on('end', () => {
      if (bytes !== req.sizeBytes) return settle({ reason: `size ${bytes} ≠ announced ${req.sizeBytes}` });
      if (hash.digest('hex') !== req.sha256) return settle({ reason: 'sha256 mismatch' });
      settle(bytes);
    });
  }
}
