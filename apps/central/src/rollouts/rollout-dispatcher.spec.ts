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

  it("sends a push's first frames after reading one slot-full, then reads ahead with every slot taken", async () => {
    const maxInFlight = 100;
    const sessions = new Map<string, ReturnType<typeof fakeSession>>(
      Array.from(
        { length: AGENTS },
        (_, i) => [`a${String(i).padStart(4, '0')}`, fakeSession(`s${i}`)] as const,
      ),
    );
    const ids = [...sessions.keys()];
    const reads: Array<{ limit: number; after?: string; sentBefore: number }> = [];
    const sent = () => [...sessions.values()].filter((s) => s.sent.length > 0).length;
    const deliveries = {
      workOnNode: (_node: string, limit: number, range: { after?: string } = {}) => {
        reads.push({ limit, after: range.after, sentBefore: sent() });
        const chosen = ids.filter((id) => range.after === undefined || id > range.after).slice(0, limit);
        return Promise.resolve(
          chosen.map((agentId) => ({
            agentId,
            sessionId: sessions.get(agentId)!.id,
            agentVersion: '1.0.0',
            capabilities: [],
            entries: [deliveryEntry({ agentId, mode: 'synchronize' })],
          })),
        );
      },
      markSent: (marks: SentMark[]) => Promise.resolve(marks),
      change: (c: StateChange[]) => Promise.resolve(c),
    } as unknown as RolloutDeliveriesRepository;
    const dispatcher = new RolloutDispatcher(
      deliveries,
      { session: (agentId: string) => sessions.get(agentId), holds: () => true } as unknown as AgentSessions,
      { id: 'node-1' } as NodeIdentity,
      new DeliveryMemory({ maxInFlight }),
      { tickMs: 60_000, maxInFlight, maxBufferedBytes: 1 << 20 },
      { mayExist: () => true } as unknown as RolloutEntriesPresence,
    );
    dispatcher.kick({ changed: true });
    await (dispatcher as unknown as { passes: { running?: Promise<void> } }).passes.running;
    await dispatcher.stop();

    expect(reads).toEqual([
      { limit: maxInFlight, after: undefined, sentBefore: 0 },
      // After the first frames went out, though no slot is free: the next 400 wait read ahead.
      { limit: 4 * maxInFlight, after: 'a0099', sentBefore: maxInFlight },
    ]);
    expect(dispatcher.inFlightCount()).toBe(maxInFlight);
    expect(sent()).toBe(maxInFlight);
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

describe('RolloutDispatcher reading due work from a cursor', () => {
  /** A node with `due` agents whose sessions are elsewhere: each pass reads, sends nothing, uses all up. */
  function setup(due: number) {
    const ids = Array.from({ length: due }, (_, i) => `a${String(i).padStart(3, '0')}`);
    const reads: Array<{ after?: string; returned: number }> = [];
    const deliveries = {
      workOnNode: (_node: string, limit: number, range: { after?: string } = {}) => {
        const work = ids
          .filter((id) => range.after === undefined || id > range.after)
          .slice(0, limit)
          .map((agentId) => ({
            agentId,
            sessionId: 's',
            agentVersion: '1.0.0',
            capabilities: [],
            entries: [],
          }));
        reads.push({ after: range.after, returned: work.length });
        return Promise.resolve(work);
      },
      markSent: () => Promise.resolve([]),
      change: () => Promise.resolve([]),
    };
    const dispatcher = new RolloutDispatcher(
      deliveries as unknown as RolloutDeliveriesRepository,
      { session: () => undefined, holds: () => false } as unknown as AgentSessions,
      { id: 'node-1' } as NodeIdentity,
      new DeliveryMemory({ maxInFlight: 10 }),
      // maxInFlight 10: reads of 40 agents (the first of 10). Ticks of a minute: nothing is read again for age.
      { tickMs: 60_000, maxInFlight: 10, maxBufferedBytes: 1 << 20 },
      { mayExist: () => true } as unknown as RolloutEntriesPresence,
    );
    const pass = async (options: { changed?: boolean } = {}) => {
      dispatcher.kick(options);
      await (dispatcher as unknown as { passes: { running?: Promise<void> } }).passes.running;
    };
    return { reads, pass, dispatcher };
  }

  it('continues after the last read when its work is used up, and starts over once a read reaches the end', async () => {
    const { reads, pass, dispatcher } = setup(100);
    for (let i = 0; i < 5; i++) await pass();
    await dispatcher.stop();
    expect(reads).toEqual([
      // Nothing under way: one slot-full from the first agent, then the read ahead in the next pass.
      { after: undefined, returned: 10 },
      { after: 'a009', returned: 40 },
      { after: 'a049', returned: 40 },
      { after: 'a089', returned: 10 },
      // The wrap-around: from the first agent again.
      { after: undefined, returned: 10 },
      { after: 'a009', returned: 40 },
      { after: 'a049', returned: 40 },
    ]);
  });

  it('reads nothing more once the reads from the first agent returned all that is due, until something changes', async () => {
    const { reads, pass, dispatcher } = setup(30);
    for (let i = 0; i < 3; i++) await pass();
    // The first read, cut at one slot-full, and the read ahead that reached the end: all was seen.
    expect(reads).toEqual([
      { after: undefined, returned: 10 },
      { after: 'a009', returned: 20 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 110)); // reads for changes are 100 ms apart
    await pass({ changed: true });
    await dispatcher.stop();
    expect(reads.slice(2)).toEqual([
      { after: undefined, returned: 10 },
      { after: 'a009', returned: 20 },
    ]);
  });

  it('reads nothing ahead when the first read, of one slot-full, already found the end', async () => {
    const { reads, pass, dispatcher } = setup(7);
    for (let i = 0; i < 3; i++) await pass();
    await dispatcher.stop();
    expect(reads).toEqual([{ after: undefined, returned: 7 }]);
  });

  it('reads again from the first agent when a rollout changed, not after the cursor', async () => {
    const { reads, pass, dispatcher } = setup(100);
    await pass();
    await new Promise((resolve) => setTimeout(resolve, 110));
    await pass({ changed: true });
    await pass();
    await dispatcher.stop();
    expect(reads).toEqual([
      { after: undefined, returned: 10 },
      { after: 'a009', returned: 40 },
      { after: undefined, returned: 10 },
      { after: 'a009', returned: 40 },
      { after: 'a049', returned: 40 },
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
