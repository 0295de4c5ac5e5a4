import { type DeliveryTiming } from '../connections/swarm-protocol.js';
import { compareWithApi, deliveryFigures } from './delivery-figures.js';

const timing = (
  agentId: string,
  frameAt: number,
  doneMs: number,
  state: DeliveryTiming['state'] = 'synchronized',
): DeliveryTiming => ({
  agentId,
  frameAt,
  synchronizingMs: 0.1,
  queuedMs: 1,
  downloadMs: doneMs - 1,
  doneMs,
  state,
  bytes: state === 'synchronized' ? 51200 : 0,
  sizeBytes: 51200,
  sha256: 'a'.repeat(64),
});

describe('deliveryFigures', () => {
  it('measures from the POST and from each frame, counting only synchronized agents as done', () => {
    const f = deliveryFigures(
      [timing('a', 1010, 5), timing('b', 1100, 40), timing('c', 1200, 10, 'failed')],
      1000,
    );
    expect(f.synchronized).toBe(2);
    expect(f.failed).toBe(1);
    expect(f.wallMs).toBe(140);
    expect(f.frameMs).toEqual({ p50: 100, p99: 200, max: 200 });
    expect(f.agentMs).toEqual({ p50: 5, p99: 40, max: 40 });
    expect(f.sinceStartMs).toEqual({ p50: 15, p99: 140, max: 140 });
    expect(f.sizeBytes).toBe(51200);
  });
});

describe('compareWithApi', () => {
  const ours = new Map<string, 'synchronized' | 'failed' | 'none'>([
    ['a', 'synchronized'],
    ['b', 'failed'],
    ['c', 'none'],
  ]);

  it('agrees when each agent has the same state on both sides', () => {
    const r = compareWithApi(
      {
        id: 'r1',
        state: 'running',
        agents: [
          { agentId: 'a', state: 'synchronized' },
          { agentId: 'b', state: 'failed', reason: 'HTTP 503' },
          { agentId: 'c', state: 'pending' },
        ],
      },
      ours,
    );
    expect(r).toEqual({
      states: { synchronized: 1, failed: 1, pending: 1 },
      agrees: true,
      disagreements: [],
    });
  });

  it('names the agents whose state differs, is missing, or is not ours', () => {
    const r = compareWithApi(
      {
        id: 'r1',
        state: 'completed',
        agents: [
          { agentId: 'a', state: 'synchronizing' },
          { agentId: 'c', state: 'synchronized' },
          { agentId: 'zz', state: 'pending' },
        ],
      },
      ours,
    );
    expect(r.agrees).toBe(false);
    expect(r.disagreements).toEqual([
      'a: synchronized, the API says synchronizing',
      'c: got no profile.sync, the API says synchronized',
      'zz: in the rollout, not a bench agent',
      'b: not in the rollout',
    ]);
  });
});
