import { type DiagnosticsChunk, type DiagnosticsResult } from '../../../../libs/protocol/index.js';
import { type AgentSession } from './agent-session.js';

/**
 * How the diagnostics domain receives bundles over agent sessions (ADR 44) without the agents domain
 * importing it: it registers itself with `AgentSessions.useDiagnosticsHooks` at start.
 */
export interface DiagnosticsSessionHooks {
  /** `diagnostics.chunk` / `diagnostics.result` from the agent of this session. */
  onFrame(session: AgentSession, frame: DiagnosticsChunk | DiagnosticsResult): Promise<void>;
  onEnd(session: AgentSession): void;
}

/** Until the diagnostics domain registers: bundle frames ignored. */
export const NO_DIAGNOSTICS_HOOKS: DiagnosticsSessionHooks = {
  onFrame: () => Promise.resolve(),
  onEnd: () => undefined,
};
