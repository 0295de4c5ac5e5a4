import { type AgentEvent, type AgentEventKind } from '../../../../libs/protocol/index.js';

/** Audit entries written as they come, per agent and window; the rest is counted and summarized. */
export const AGENT_EVENT_ENTRIES_PER_WINDOW = 5;
export const AGENT_EVENT_WINDOW_MS = 60_000;

/** One audit entry to write: the caller adds the actor (`agent:<id>`) and the agent's address. */
export interface AgentEventEntry {
  agentId: string;
  /** The agent's address on its session (the actor's address). */
  address: string;
  action: 'agent refusal' | 'agent refusals summarized';
  details: Record<string, unknown>;
}

interface Suppressed {
  count: number;
  frames: number;
  firstAt: string;
  lastAt: string;
  lastReason: string;
}

interface AgentWindow {
  address: string;
  written: number;
  suppressed: Map<AgentEventKind, Suppressed>;
  cancel: () => void;
}

export interface AgentEventAuditOptions {
  write: (entry: AgentEventEntry) => void;
  entriesPerWindow?: number;
  windowMs?: number;
  /** Runs `fn` after `ms`; returns a cancel function (tests drive time themselves). */
  schedule?: (fn: () => void, ms: number) => () => void;
}

/**
 * Refusals agents report with `agent.event` (ADR 51), recorded in the audit log with the agent as the
 * actor. A password-guessing client on a branch PC must not flood the log: per agent, the first
 * AGENT_EVENT_ENTRIES_PER_WINDOW frames of a window are written as they come (each already carries the
 * agent's own count of a burst); later ones are counted per kind and written as one summary entry when
 * the window ends. At most entriesPerWindow + 1 entries per agent and window, whatever the agent sends.
 */
export class AgentEventAudit {
  private readonly windows = new Map<string, AgentWindow>();
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;

  constructor(private readonly options: AgentEventAuditOptions) {
    this.perWindow = options.entriesPerWindow ?? AGENT_EVENT_ENTRIES_PER_WINDOW;
    this.windowMs = options.windowMs ?? AGENT_EVENT_WINDOW_MS;
    this.schedule =
      options.schedule ??
      ((fn, ms) => {
        const timer = setTimeout(fn, ms);
        timer.unref();
        return () => clearTimeout(timer);
      });
  }

  record(agentId: string, address: string, event: AgentEvent): void {
    let window = this.windows.get(agentId);
    if (!window) {
      window = {
        address,
        written: 0,
        suppressed: new Map(),
        cancel: this.schedule(() => this.close(agentId), this.windowMs),
      };
      this.windows.set(agentId, window);
    }
    if (window.written < this.perWindow) {
      window.written++;
      this.options.write({
        agentId,
        address,
        action: 'agent refusal',
        details: {
          kind: event.kind,
          reason: event.reason,
          count: event.count,
          firstAt: event.firstAt,
          lastAt: event.lastAt,
          ...(event.address ? { localAddress: event.address } : {}),
        },
      });
      return;
    }
    const seen = window.suppressed.get(event.kind);
    if (seen) {
      seen.count += event.count;
      seen.frames++;
      if (Date.parse(event.lastAt) > Date.parse(seen.lastAt)) seen.lastAt = event.lastAt;
      seen.lastReason = event.reason;
    } else {
      window.suppressed.set(event.kind, {
        count: event.count,
        frames: 1,
        firstAt: event.firstAt,
        lastAt: event.lastAt,
        lastReason: event.reason,
      });
    }
  }

  /** Agents with a window open (for tests and metrics). */
  get openWindows(): number {
    return this.windows.size;
  }

  /** Writes every pending summary now (central is stopping). */
  flushAll(): void {
    for (const agentId of [...this.windows.keys()]) this.close(agentId);
  }

  private close(agentId: string): void {
    const window = this.windows.get(agentId);
    if (!window) return;
    window.cancel();
    this.windows.delete(agentId);
    if (window.suppressed.size === 0) return;
    // A list, not an object keyed by kind: the audit log redacts keys that look like secrets
    // ("local_api.wrong_password" would lose its value).
    const kinds = [...window.suppressed].map(([kind, s]) => ({ kind, ...s }));
    const total = [...window.suppressed.values()].reduce((sum, s) => sum + s.count, 0);
    this.options.write({
      agentId,
      address: window.address,
      action: 'agent refusals summarized',
      details: {
        count: total,
        windowSeconds: Math.round(this.windowMs / 1000),
        reason: `${total} more refusal(s) reported by the agent within ${Math.round(this.windowMs / 1000)} s after ${window.written} written one by one`,
        kinds,
      },
    });
  }
}
