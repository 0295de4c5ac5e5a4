import { type Hello, type ProfileStatus } from '../../../../libs/protocol/index.js';
import { type AgentSession, type WelcomeProfile } from './agent-session.js';

export { type WelcomeProfile };

/**
 * How the profile delivery (the rollouts domain) takes part in an agent's session without the agents
 * domain importing it: rollouts registers itself with `AgentSessions.useProfileHooks` at start.
 */
export interface ProfileSessionHooks {
  /** After the session is recorded online, before `welcome`: reconcile what the agent reports. */
  onHello(session: AgentSession, hello: Hello): Promise<WelcomeProfile>;
  /** `welcome` went out: profile frames may follow now. */
  onWelcomed(session: AgentSession): void;
  onStatus(session: AgentSession, status: ProfileStatus): Promise<void>;
  onEnd(session: AgentSession): void;
}

/** Until rollouts registers: no desired profile, profile frames ignored. */
export const NO_PROFILE_HOOKS: ProfileSessionHooks = {
  onHello: () => Promise.resolve({ desiredProfile: null }),
  onWelcomed: () => undefined,
  onStatus: () => Promise.resolve(),
  onEnd: () => undefined,
};
