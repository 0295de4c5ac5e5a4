import { jest } from '@jest/globals';
import { type AgentSessions } from '../agents/agent-sessions.js';
import { type NodeIdentity } from '../cluster/node-identity.js';
import { DeliveryMemory } from './delivery-memory.js';
import { keepReadAheadMs, RolloutDispatcher } from './rollout-dispatcher.js';
import { type RolloutEntriesPresence } from './rollout-entries-presence.js';
import {
  type HeldAgentWork,
  type RolloutDeliveriesRepository,
  type SentMark,
  type StateChange,
} from './rollout-deliveries.repository.js';
import { deliveryEntry } from './testing/delivery-entry.js';

const AGENTS = 1000;

/** A session as the dispatcher sees it: open, drained, and what it was sent. */
function fakeSession(id: string) {
  const sent: Array<{ ok: true; text: string }> = [];
  return {
    id,
    open: true,
    bufferedAmount: 0,
    sent,
    deliverChecked: (checked: { ok: true; text: string }) => {
      sent.push(checked);
      return true;
    },
  };
}

describe('RolloutDispatcher', () => {
  it('sends one push to every agent with its frame checked and encoded once (not per agent)', async () => {
    const sessions = new Map<string, ReturnType<typeof fakeSession>>(
      Array.from({ length: AGENTS }, (_, i) => [`a${i}`, fakeSession(`s${i}`)] as const),
    );
    const work: HeldAgentWork[] = [...sessions.entries()].map(([agentId, s]) => ({
      agentId,
      sessionId: s.id,
      agentVersion: '1.0.0',
      capabilities: [],
      entries: [deliveryEntry({ agentId, mode: 'synchronize' })],
    }));
    const changes: StateChange[] = [];
    const deliveries = {
      workOnNode: () => Promise.resolve(work),
      markSent: (marks: SentMark[]) => Promise.resolve(marks),
      change: (c: StateChange[]) => {
        changes.push(...c);
        return Promise.resolve(c);
      },
    } as unknown as RolloutDeliveriesRepository;
    const dispatcher = new RolloutDispatcher(
      deliveries,
      { session: (agentId: string) => sessions.get(agentId), holds: () => true } as unknown as AgentSessions,
      { id: 'node-1' } as NodeIdentity,
      new DeliveryMemory({ maxInFlight: AGENTS }),
      { tickMs: 1000, maxInFlight: AGENTS, maxBufferedBytes: 1 << 20 },
      { mayExist: () => true } as unknown as RolloutEntriesPresence,
    );
    dispatcher.kick();
    await dispatcher.stop();

    expect(dispatcher.inFlightCount()).toBe(AGENTS);
    expect(changes).toEqual([]);
    const frames = [...sessions.values()].map((s) => s.sent);
    expect(frames.every((f) => f.length === 1)).toBe(true);
    // The same checked object for all: the frame was built, validated and serialized once.
    expect(new Set(frames.map((f) => f[0])).size).toBe(1);
    expect(JSON.parse(frames[0]![0]!.text)).toMatchObject({ type: 'profile.sync', deliveryId: 'r1:0' });
  });

  it('fails the entries of a frame the agents would refuse instead of sending it', async () => {
    const session = fakeSession('s1');
    const deliveries = {
      workOnNode: () =>
        Promise.resolve([
          {
            agentId: 'a1',
            sessionId: 's1',
            agentVersion: '1.0.0',
            capabilities: [],
            entries: [deliveryEntry({ agentId: 'a1', sizeBytes: 0 })],
          },
        ]),
      markSent: (marks: SentMark[]) => Promise.resolve(marks),
      change: jest.fn((c: StateChange[]) => Promise.resolve(c)),
    };
    const dispatcher = new RolloutDispatcher(
      deliveries as unknown as RolloutDeliveriesRepository,
      { session: () => session, holds: () => true } as unknown as AgentSessions,
      { id: 'node-1' } as NodeIdentity,
      new DeliveryMemory({ maxInFlight: 10 }),
      { tickMs: 1000, maxInFlight: 10, maxBufferedBytes: 1 << 20 },
      { mayExist: () => true } as unknown as RolloutEntriesPresence,
    );
    dispatcher.kick();
    await dispatcher.stop();
    expect(session.sent).toEqual([]);
    expect(dispatcher.inFlightCount()).toBe(0);
    expect(deliveries.change).toHaveBeenCalledWith([
      expect.objectContaining({
        agentId: 'a1',
        fromState: 'pending',
        state: 'failed',
        reason: expect.stringMatching(/^profile\.sync would be refused by the agent: sizeBytes: /),
      }),
    ]);
  });
});

describe('keepReadAheadMs', () => {
  it('keeps work read ahead five ticks, longer after a costly read, never past 30 s', () => {
    expect(keepReadAheadMs(1000, 0)).toBe(5000);
    expect(keepReadAheadMs(1000, 100)).toBe(5000); // 10,000 agents: reads are cheap, the ticks decide
    expect(keepReadAheadMs(1000, 450)).toBe(11_250); // 50,000 agents on three workers
    expect(keepReadAheadMs(1000, 5000)).toBe(30_000);
    expect(keepReadAheadMs(200, 0)).toBe(1000);
  });
});
