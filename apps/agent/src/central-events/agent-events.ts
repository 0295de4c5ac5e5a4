import { AGENT_EVENT_FRAME, type AgentEvent, type AgentEventKind } from '../../../../libs/protocol/index.js';

/** A burst of one kind is sent as one frame per this window (the first at once, the rest counted). */
export const EVENT_COALESCE_MS = 10_000;

/** What the reporter needs from a connection. */
export interface EventChannel {
  sendFrame(frame: AgentEvent): boolean;
}

interface Pending {
  count: number;
  firstAt: string;
  lastAt: string;
  reason: string;
  address?: string;
}

export interface AgentEventsOptions {
  now?: () => Date;
  coalesceMs?: number;
  /** Runs `fn` after `ms` (tests drive time themselves). */
  schedule?: (fn: () => void, ms: number) => void;
}

/**
 * Refusals the agent makes on its machine (local API: wrong passwords, paths outside the file area,
 * uploads over the limits), reported to central's audit log with `agent.event` (ADR 51). Sent only on a
 * connection whose welcome said central accepts the frame: an older central would close the session on
 * an unknown frame, and anyone who can reach the local API could then keep the agent off central.
 *
 * A burst never becomes a frame per refusal: per kind, the first goes out at once, the next ones within
 * EVENT_COALESCE_MS are counted and sent as one frame with the count when the window ends. While there
 * is no accepting connection they are counted the same way and sent at the next welcome, so memory
 * stays one entry per kind, whatever a local client does.
 */
export class AgentEvents {
  private channel: EventChannel | undefined;
  private readonly pending = new Map<AgentEventKind, Pending>();
  /** Kinds whose window is open: a new refusal of that kind waits for its end. */
  private readonly open = new Set<AgentEventKind>();
  private readonly now: () => Date;
  private readonly coalesceMs: number;
  private readonly schedule: (fn: () => void, ms: number) => void;

  constructor(options: AgentEventsOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.coalesceMs = options.coalesceMs ?? EVENT_COALESCE_MS;
    this.schedule =
      options.schedule ??
      ((fn, ms) => {
        setTimeout(fn, ms).unref();
      });
  }

  /** A connection was welcomed; `accepts` is welcome's list (absent from older centrals). */
  welcomed(channel: EventChannel, accepts: readonly string[] | undefined): void {
    this.channel = accepts?.includes(AGENT_EVENT_FRAME) ? channel : undefined;
    if (!this.channel) return;
    for (const kind of [...this.pending.keys()]) if (!this.open.has(kind)) this.send(kind);
  }

  /** A refusal: `reason` names what was refused and why (never a password or file content). */
  report(kind: AgentEventKind, reason: string, address?: string): void {
    const at = this.now().toISOString();
    const seen = this.pending.get(kind);
    this.pending.set(kind, {
      count: (seen?.count ?? 0) + 1,
      firstAt: seen?.firstAt ?? at,
      lastAt: at,
      reason: reason.slice(0, 1024),
      address: address?.slice(0, 64) ?? seen?.address,
    });
    if (!this.open.has(kind)) this.send(kind);
  }

  /** Refusals counted but not sent yet (per kind), for tests and the status. */
  get unsent(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.count;
    return n;
  }

  private send(kind: AgentEventKind): void {
    const p = this.pending.get(kind);
    if (!p || !this.channel) return;
    const frame: AgentEvent = {
      type: 'agent.event',
      kind,
      reason: p.reason,
      count: p.count,
      firstAt: p.firstAt,
      lastAt: p.lastAt,
      ...(p.address ? { address: p.address } : {}),
    };
    if (!this.channel.sendFrame(frame)) {
      this.channel = undefined; // the connection is gone: kept for the next welcome
      return;
    }
    this.pending.delete(kind);
    this.open.add(kind);
    this.schedule(() => {
      this.open.delete(kind);
      this.send(kind);
    }, this.coalesceMs);
  }
}

/** The agent process's reporter: the local API reports into it, the runner hands it each welcome. */
export const agentEvents = new AgentEvents();
