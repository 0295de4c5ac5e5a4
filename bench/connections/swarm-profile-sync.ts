/**
 * How the simulated agents of one swarm answer `profile.sync`: ack `synchronizing`, download the archive
 * with the agent's credential, verify its size and sha256, ack `synchronized` (or `failed` with the
 * reason). Each step is timed from the moment the frame arrived. Agents do not unzip: only central's
 * cost of a delivery is measured.
 */
import WebSocket from 'ws';
import { profileSyncSchema, type ProfileState, type ProfileSync } from '../../libs/protocol/index.js';
import { ProfileDownloader } from './profile-downloader.js';
import {
  type DeliveryCounts,
  type DeliveryTiming,
  type Failures,
  type SwarmReply,
  type SwarmTransport,
} from './swarm-protocol.js';

export interface SyncingAgent {
  readonly id: string;
  readonly credential: string | undefined;
  readonly transport: SwarmTransport;
}

export interface ProfileSyncOptions {
  /** ws(s):// URLs of the agent listeners; downloads go to the same host and port over http(s). */
  plainUrl: string;
  secureUrl: string;
  ca: string;
  concurrency: number;
  timeoutMs: number;
}

export const DEFAULT_PROFILE_DOWNLOAD = { concurrency: 32, timeoutMs: 30_000 };

export class SwarmProfileSync {
  private readonly downloaders = new Map<SwarmTransport, ProfileDownloader>();
  /** First delivery per agent since the mark. */
  private timings = new Map<string, DeliveryTiming>();
  /**
   * Final state per agent and deliveryId, to re-ack a re-sent frame without downloading again. (Central's
   * deliveryId names a rollout attempt: every agent of that rollout gets the same one.)
   */
  private finished = new Map<string, 'synchronized' | 'failed'>();
  private seen = new Set<string>();
  private failures: Failures = {};
  private invalid: Failures = {};
  private repeated = 0;
  private pending = 0;
  private counts: DeliveryCounts = { received: 0, synchronized: 0, failed: 0 };

  constructor(private options: ProfileSyncOptions) {}

  /** Downloads from now on go to these listeners (the swarm was retargeted to a ceiling server). */
  retarget(urls: Pick<ProfileSyncOptions, 'plainUrl' | 'secureUrl' | 'ca'>): void {
    for (const d of this.downloaders.values()) d.close();
    this.downloaders.clear();
    this.options = { ...this.options, ...urls };
  }

  /** Handles a parsed frame of type `profile.sync`; `arrivedAt` is performance.now() on arrival. */
  onFrame(agent: SyncingAgent, socket: WebSocket, value: unknown, arrivedAt: number): void {
    const parsed = profileSyncSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = `${issue?.path.join('.') || 'frame'}: ${issue?.message ?? 'invalid'}`;
      this.invalid[key] = (this.invalid[key] ?? 0) + 1;
      return;
    }
    void this.deliver(agent, socket, parsed.data, arrivedAt);
  }

  /** Forgets what was measured (not what is still downloading). */
  mark(): void {
    this.timings = new Map();
    this.seen = new Set();
    this.failures = {};
    this.invalid = {};
    this.repeated = 0;
    this.counts = { received: 0, synchronized: 0, failed: 0 };
  }

  status(): DeliveryCounts {
    return { ...this.counts };
  }

  report(eventLoopDelayMaxMs: number): Extract<SwarmReply, { type: 'deliveries' }> {
    return {
      type: 'deliveries',
      timings: [...this.timings.values()],
      failures: { ...this.failures },
      repeated: this.repeated,
      invalid: { ...this.invalid },
      pending: this.pending,
      eventLoopDelayMaxMs,
    };
  }

  close(): void {
    for (const d of this.downloaders.values()) d.close();
    this.downloaders.clear();
  }

  private async deliver(agent: SyncingAgent, socket: WebSocket, frame: ProfileSync, arrivedAt: number) {
    const frameAt = performance.timeOrigin + arrivedAt;
    const first = !this.seen.has(agent.id);
    if (first) {
      this.seen.add(agent.id);
      this.counts.received++;
    } else this.repeated++;
    const key = `${agent.id} ${frame.deliveryId}`;
    const known = this.finished.get(key);
    if (known) return void ack(socket, frame, known, known === 'failed' ? 'failed before' : undefined);

    ack(socket, frame, 'synchronizing');
    const synchronizingMs = performance.now() - arrivedAt;
    this.pending++;
    const result = agent.credential
      ? await this.downloader(agent.transport).download({
          agentId: agent.id,
          credential: agent.credential,
          sha256: frame.sha256,
          sizeBytes: frame.sizeBytes,
        })
      : { ok: false as const, reason: 'no credential', queuedMs: 0, downloadMs: 0 };
    this.pending--;
    const state = result.ok ? 'synchronized' : 'failed';
    const reason = result.ok ? undefined : result.reason;
    ack(socket, frame, state, reason);
    this.finished.set(key, state);
    if (!first) return;
    if (result.ok) this.counts.synchronized++;
    else {
      this.counts.failed++;
      this.failures[result.reason] = (this.failures[result.reason] ?? 0) + 1;
    }
    this.timings.set(agent.id, {
      agentId: agent.id,
      frameAt,
      synchronizingMs,
      queuedMs: result.queuedMs,
      downloadMs: result.downloadMs,
      doneMs: performance.now() - arrivedAt,
      state,
      ...(reason ? { reason } : {}),
      bytes: result.ok ? result.bytes : 0,
      sizeBytes: frame.sizeBytes,
      sha256: frame.sha256,
    });
  }

  private downloader(transport: SwarmTransport): ProfileDownloader {
    let d = this.downloaders.get(transport);
    if (!d) {
      const ws = transport === 'secure' ? this.options.secureUrl : this.options.plainUrl;
      d = new ProfileDownloader({
        baseUrl: ws.replace(/^ws/, 'http'),
        ca: this.options.ca,
        concurrency: this.options.concurrency,
        timeoutMs: this.options.timeoutMs,
      });
      this.downloaders.set(transport, d);
    }
    return d;
  }
}

/** Sends `profile.status` if the socket is still open (a closed one has nobody to tell). */
function ack(socket: WebSocket, frame: ProfileSync, state: ProfileState, reason?: string): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.send(
    JSON.stringify({
      type: 'profile.status',
      deliveryId: frame.deliveryId,
      sha256: frame.sha256,
      state,
      ...(reason ? { reason: reason.slice(0, 1024) } : {}),
    }),
  );
}
