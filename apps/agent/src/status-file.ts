import { ensureDirectory, writeFileAtomic } from './atomic-file.js';
import { STATE_DIR_MODE } from './credential-store.js';
import type { AgentHome } from './agent-home.js';
import type { ProfileStatusView } from './profiles/profile-agent.js';

export type AgentState = 'connecting' | 'connected' | 'backoff' | 'stopped';

/** The content of `state/status.json`, read by tests and by the local status API. */
export interface AgentStatus {
  state: AgentState;
  url: string | null;
  transport: 'plain' | 'secure' | null;
  nodeId: string | null;
  /** ISO UTC time the agent entered `state`. */
  since: string;
  lastError: string | null;
  /** The active and staged profile, and the last profile step that failed. */
  profile: ProfileStatusView;
}

/** Holds the current status and rewrites `state/status.json` atomically on every change. */
export class StatusFile {
  private status: AgentStatus;

  constructor(
    private readonly home: AgentHome,
    private readonly now: () => Date = () => new Date(),
    private readonly onWriteError: (error: Error) => void = () => {},
  ) {
    this.status = {
      state: 'connecting',
      url: null,
      transport: null,
      nodeId: null,
      since: now().toISOString(),
      lastError: null,
      profile: { active: null, staged: null, lastError: null },
    };
  }

  get current(): AgentStatus {
    return { ...this.status };
  }

  /** The exact text written to status.json. */
  toJson(): string {
    return JSON.stringify(this.status, null, 2) + '\n';
  }

  update(change: Partial<Omit<AgentStatus, 'since'>>): void {
    const next = { ...this.status, ...change };
    if (next.state !== this.status.state) next.since = this.now().toISOString();
    this.status = next;
    try {
      ensureDirectory(this.home.stateDir, STATE_DIR_MODE);
      writeFileAtomic(this.home.statusFile, this.toJson(), 0o644);
    } catch (error) {
      // A full disk must not stop the agent from talking to central; the caller logs it.
      this.onWriteError(error as Error);
    }
  }
}
