/**
 * Downloads profile archives for the simulated agents of one swarm: `GET /profiles/<sha256>.zip` on the
 * listener an agent is connected to, with that agent's upgrade headers, over kept-alive connections, at most
 * `concurrency` at a time. Checks the size and the bytes (verified-archives.ts); never unzips (the figures are
 * central's).
 */
import {
  AGENT_ID_HEADER,
  MAX_PROFILE_ARCHIVE_BYTES,
  PROFILE_DOWNLOAD_PATH,
} from '../../libs/protocol/index.js';
import { KeepAlivePool } from './keep-alive-pool.js';
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
  // Not undici or node:http: see keep-alive-pool.ts (the simulated agents must cost as little CPU as
  // possible, since they share the machine with the central they measure).
  private readonly pool: KeepAlivePool;
  private readonly slots: Semaphore;
  private readonly archives = new VerifiedArchives();

  constructor(private readonly options: DownloaderOptions) {
    this.pool = new KeepAlivePool({
      baseUrl: options.baseUrl,
      ca: options.ca,
      servername: 'localhost',
      timeoutMs: options.timeoutMs,
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
    this.pool.close();
  }

  /** The byte count when the archive is what the frame announced, else why not. */
  private async fetchVerified(req: DownloadRequest): Promise<number | { reason: string }> {
    const check = this.archives.check(req.sha256);
    const outcome = await this.pool.get({
      path: `${PROFILE_DOWNLOAD_PATH}${req.sha256}.zip`,
      headers: { authorization: `Bearer ${req.credential}`, [AGENT_ID_HEADER]: req.agentId },
      maxBytes: MAX_PROFILE_ARCHIVE_BYTES,
      onBody: (chunk) => check.update(chunk),
    });
    if (!outcome.ok)
      return { reason: outcome.tooLarge ? 'archive larger than the protocol limit' : outcome.reason };
    if (outcome.status !== 200) return { reason: `HTTP ${outcome.status}` };
    if (outcome.bytes !== req.sizeBytes)
      return { reason: `size ${outcome.bytes} ≠ announced ${req.sizeBytes}` };
    if (!check.matches()) return { reason: 'sha256 mismatch' };
    return outcome.bytes;
  }
}
