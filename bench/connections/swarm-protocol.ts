/** Messages between the bench orchestrator and its agent-swarm child processes (over Node IPC). */

export type SwarmTransport = 'plain' | 'secure';

export interface SwarmConfig {
  /** Agent ids this swarm simulates (at most ~19,000: one socket each, the hard limit is 20,000 fds). */
  agentIds: string[];
  plainUrl: string;
  secureUrl: string;
  /** PEM of central's server chain, trusted for wss. */
  ca: string;
  enrollmentToken: string;
  /** Credentials already issued, aligned with `agentIds` (a test that seeded its agents); else enroll. */
  credentials?: string[];
  /**
   * Source addresses (127.0.0.2…, more of them for more agents) so no single one runs out of ephemeral
   * ports; agent i of this swarm dials from `localAddresses[i % length]`.
   */
  localAddresses: string[];
  /** In-flight connection attempts at most, in a connect phase. */
  concurrency: number;
  /** In-flight reconnection attempts at most (after a restart); the rest wait their turn in the swarm. */
  reconnectConcurrency?: number;
  /** One attempt (TCP, TLS, upgrade, hello, welcome) fails after this long. */
  attemptTimeoutMs: number;
  backoff: { baseMs: number; capMs: number };
  /** How agents fetch archives after `profile.sync` (defaults: 32 downloads at a time, 30 s each). */
  profileDownload?: { concurrency: number; timeoutMs: number };
}

/** One agent's answer to its first `profile.sync` since the last mark; times in ms. */
export interface DeliveryTiming {
  agentId: string;
  /** Epoch ms (sub-ms precision) at which the frame arrived. */
  frameAt: number;
  /** Frame arrived → `synchronizing` sent. */
  synchronizingMs: number;
  /** Frame arrived → download started (waiting for one of the swarm's download slots). */
  queuedMs: number;
  /** Request sent → last byte verified. */
  downloadMs: number;
  /** Frame arrived → `synchronized` (or `failed`) sent. */
  doneMs: number;
  state: 'synchronized' | 'failed';
  reason?: string;
  bytes: number;
  sizeBytes: number;
  sha256: string;
}

export interface DeliveryCounts {
  /** Agents that received a `profile.sync` since the mark. */
  received: number;
  synchronized: number;
  failed: number;
}

/** Orchestrator → swarm. Every command except `configure` is answered by exactly one reply. */
export type SwarmCommand =
  | { type: 'configure'; config: SwarmConfig }
  /**
   * Later connections and downloads go to another server (a ceiling target), trusting `ca` for wss;
   * `plainUrl` is kept when absent. Answered by `status`.
   */
  | { type: 'retarget'; plainUrl?: string; secureUrl: string; ca: string }
  /**
   * One attempt per agent of [from, to), `concurrency` at a time; answered by `connected`. Agents not
   * started within `deadlineMs` count as failed ("phase deadline"), so a phase always ends.
   */
  | {
      type: 'connect';
      from: number;
      to: number;
      transport: SwarmTransport;
      useToken: boolean;
      deadlineMs: number;
    }
  /** Reconnect on every unexpected close, with capped exponential backoff and full jitter. */
  | { type: 'arm'; reconnect: boolean }
  /** Forget previous welcomes and failures: `status` and `welcomes` count from here. */
  | { type: 'mark' }
  /** When the restarted central said it was ready (epoch ms): failures are split at that moment. */
  | { type: 'central-ready'; at: number }
  | { type: 'status' }
  | { type: 'welcomes' }
  /** What the agents did with `profile.sync` frames since the last mark; answered by `deliveries`. */
  | { type: 'deliveries' }
  /** Sends goodbye on every open connection, waits for the closes; answered by `closed`. */
  | { type: 'close-all' }
  | { type: 'exit' };

export type Failures = Record<string, number>;

export function count(map: Failures, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export type SwarmReply =
  | { type: 'ready' }
  | { type: 'progress'; done: number; failed: number }
  | {
      type: 'connected';
      ok: number;
      failed: number;
      failures: Failures;
      wallMs: number;
      /** Per successful agent: from the start of its attempt to its welcome, ms. */
      latenciesMs: number[];
      /** Worst event-loop delay of this swarm during the phase: how late its own timestamps may be. */
      eventLoopDelayMaxMs: number;
    }
  | {
      type: 'status';
      open: number;
      /** Sockets that sent their hello and await the welcome: central may already count them online. */
      helloing: number;
      welcomedSinceMark: number;
      total: number;
      deliveries: DeliveryCounts;
    }
  | {
      type: 'deliveries';
      timings: DeliveryTiming[];
      /** Failed downloads by reason. */
      failures: Failures;
      /** `profile.sync` frames beyond an agent's first since the mark (re-sends), and frames refused. */
      repeated: number;
      invalid: Failures;
      /** Syncs still downloading. */
      pending: number;
      eventLoopDelayMaxMs: number;
    }
  | {
      type: 'welcomes';
      /** Epoch ms of each agent's first welcome since the last mark. */
      at: number[];
      missing: number;
      /** Failed attempts since the last mark, by reason, split by the central ready time. */
      failuresBeforeReady: Failures;
      failuresAfterReady: Failures;
      failedAfterReadyAtMs: number[];
      reconnectLatenciesMs: number[];
      eventLoopDelayMaxMs: number;
      /** Closes initiated by central since the mark, by code. */
      closes: Failures;
      /** TLS handshakes since the mark that resumed the agent's previous session (ADR 53). */
      resumedTls?: number;
    }
  | { type: 'closed'; closed: number }
  | { type: 'error'; message: string };

/** Reconnection attempts one swarm process has in flight when its config does not say. */
export const DEFAULT_RECONNECT_CONCURRENCY = 500;
