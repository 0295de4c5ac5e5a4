import { type ProfileStatus } from '../../../../libs/protocol/index.js';
import { type AgentSession } from '../agents/agent-session.js';
import { type AgentSessions } from '../agents/agent-sessions.js';
import { type ProfileSigningKeySource } from './profile-signing-key.port.js';
import { type RecordOutcome } from './progress-hold.js';
import { type RolloutDispatcher } from './rollout-dispatcher.js';
import { type RolloutEntriesPresence } from './rollout-entries-presence.js';
import { type RolloutHelloReconciler } from './rollout-hello.reconciler.js';
import { RolloutSessionHooks } from './rollout-session.hooks.js';
import { type RolloutStatusRecorder } from './rollout-status.recorder.js';
import { type RolloutTicker } from './rollout-ticker.js';

/** The hooks with a recorder whose writes finish only when the test says so. */
function hooksWithSlowRecorder() {
  const events: string[] = [];
  const writes: Array<(outcome: RecordOutcome) => void> = [];
  const recorder = {
    record: (agentId: string, status: ProfileStatus) => {
      events.push(`record ${agentId} ${status.state}`);
      return new Promise<RecordOutcome>((resolve) => writes.push(resolve));
    },
  } as unknown as RolloutStatusRecorder;
  const dispatcher = {
    release: (agentId: string) => events.push(`release ${agentId}`),
    kick: (options: { agentId?: string }) => events.push(`kick ${options.agentId ?? 'node'}`),
  } as unknown as RolloutDispatcher;
  const ticker = { soon: () => events.push('tick') } as unknown as RolloutTicker;
  const hooks = new RolloutSessionHooks(
    {} as AgentSessions,
    {} as RolloutHelloReconciler,
    recorder,
    dispatcher,
    ticker,
    {} as RolloutEntriesPresence,
    {} as ProfileSigningKeySource,
  );
  return { hooks, events, writes };
}

const session = { agentId: 'agent-1' } as AgentSession;
const status = (state: ProfileStatus['state']): ProfileStatus => ({
  type: 'profile.status',
  deliveryId: 'd',
  sha256: 'a'.repeat(64),
  state,
  ...(state === 'failed' ? { reason: 'disk full' } : {}),
});

describe('RolloutSessionHooks.onStatus', () => {
  it.each(['synchronized', 'applied', 'failed'] as const)(
    'frees the delivery slot when %s arrives, before the answer is written',
    async (state) => {
      const { hooks, events, writes } = hooksWithSlowRecorder();
      const answered = hooks.onStatus(session, status(state));
      expect(events).toEqual(['release agent-1', `record agent-1 ${state}`]);
      writes[0]!({ recorded: true, state, mode: 'synchronize' });
      await answered;
      expect(events).toEqual(['release agent-1', `record agent-1 ${state}`, 'tick']);
    },
  );

  it('keeps the slot while the agent is still downloading (synchronizing)', async () => {
    const { hooks, events, writes } = hooksWithSlowRecorder();
    const answered = hooks.onStatus(session, status('synchronizing'));
    writes[0]!({ recorded: true, state: 'synchronizing', mode: 'synchronize' });
    await answered;
    expect(events).toEqual(['record agent-1 synchronizing']);
  });

  it('asks for the activation of a publish once the staged answer is written', async () => {
    const { hooks, events, writes } = hooksWithSlowRecorder();
    const answered = hooks.onStatus(session, status('synchronized'));
    expect(events).not.toContain('kick agent-1');
    writes[0]!({ recorded: true, state: 'synchronized', mode: 'publish' });
    await answered;
    expect(events).toEqual(['release agent-1', 'record agent-1 synchronized', 'tick', 'kick agent-1']);
  });
});
