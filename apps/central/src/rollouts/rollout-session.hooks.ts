import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Hello, type ProfileStatus } from '../../../../libs/protocol/index.js';
import { type AgentSession } from '../agents/agent-session.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { type ProfileSessionHooks, type WelcomeProfile } from '../agents/profile-session.hooks.js';
import { PROFILE_SIGNING_KEY, type ProfileSigningKeySource } from './profile-signing-key.port.js';
import { RolloutDispatcher } from './rollout-dispatcher.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';
import { RolloutHelloReconciler } from './rollout-hello.reconciler.js';
import { RolloutStatusRecorder } from './rollout-status.recorder.js';
import { RolloutTicker } from './rollout-ticker.js';

/** Plugs profile delivery into every agent session of this node (agents never import rollouts). */
@Injectable()
export class RolloutSessionHooks implements ProfileSessionHooks, OnApplicationBootstrap {
  constructor(
    private readonly sessions: AgentSessions,
    private readonly reconciler: RolloutHelloReconciler,
    private readonly recorder: RolloutStatusRecorder,
    private readonly dispatcher: RolloutDispatcher,
    private readonly ticker: RolloutTicker,
    private readonly entries: RolloutEntriesPresence,
    @Inject(PROFILE_SIGNING_KEY) private readonly signingKey: ProfileSigningKeySource,
  ) {}

  onApplicationBootstrap(): void {
    this.sessions.useProfileHooks(this);
  }

  async onHello(session: AgentSession, hello: Hello): Promise<WelcomeProfile> {
    // What the agent answered on its other connection is on record before its hello is reconciled.
    await this.recorder.settle(session.agentId);
    const [desiredProfile, profileSigningKey] = await Promise.all([
      this.reconciler.reconcile(hello),
      this.signingKey.publicKeyPem(),
    ]);
    return { desiredProfile, profileSigningKey };
  }

  onWelcomed(session: AgentSession): void {
    // The hello may have made this agent's work due (reconciled entries, a new session to send on).
    // With no rollout entry at all there is no work to read: a storm's welcomes cost no reads (ADR 36).
    if (this.entries.mayExist()) this.dispatcher.kick({ agentId: session.agentId });
  }

  async onStatus(session: AgentSession, status: ProfileStatus): Promise<void> {
    // The agent is done with its step: its delivery slot is free now, not once its answer's batch is
    // written. The slot bounds the downloads under way, and this one is over; waiting for the write kept
    // a slot busy for a batch's round trip per answer and left central idle between refills. Nothing is
    // sent twice meanwhile: the entry keeps its sent mark until the answer is written.
    if (STEP_DONE.has(status.state)) this.dispatcher.release(session.agentId);
    const outcome = await this.recorder.record(session.agentId, status);
    if (!outcome.recorded) return;
    if (STEP_DONE.has(outcome.state)) this.ticker.soon();
    // The next step of a publish (activate) is due now, for this agent alone: its work is read, not the node's.
    if (outcome.state === 'synchronized' && outcome.mode === 'publish')
      this.dispatcher.kick({ agentId: session.agentId });
  }

  onEnd(session: AgentSession): void {
    this.dispatcher.release(session.agentId);
  }
}

/** Answers that end a step of a delivery. */
const STEP_DONE = new Set<ProfileStatus['state']>(['synchronized', 'applied', 'failed']);
