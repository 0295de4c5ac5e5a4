import { jest } from '@jest/globals';
import { type Worker } from 'node:cluster';
import { MetricsRelay } from './metrics-relay.js';
import { type MetricsMessage } from './worker-messages.js';

/** A worker stand-in that records what the primary sends it. */
function fakeWorker() {
  const sent: MetricsMessage[] = [];
  const worker = { isConnected: () => true, send: (m: MetricsMessage) => sent.push(m) } as unknown as Worker;
  return { worker, sent };
}

describe("MetricsRelay: the primary gathers every worker's figures for one scrape", () => {
  it('asks every running worker and hands all answers back to the one that asked', () => {
    const one = fakeWorker();
    const two = fakeWorker();
    const relay = new MetricsRelay(() => [
      { index: 1, worker: one.worker },
      { index: 2, worker: two.worker },
    ]);
    expect(relay.handle(2, two.worker, { switchyard: 'node metrics?', requestId: 7 })).toBe(true);
    const asked = one.sent[0] as Extract<MetricsMessage, { switchyard: 'worker metrics?' }>;
    expect(asked.switchyard).toBe('worker metrics?');
    expect(two.sent).toEqual([asked]);
    relay.handle(2, two.worker, { switchyard: 'worker metrics', requestId: asked.requestId, metrics: ['b'] });
    expect(two.sent).toHaveLength(1); // not yet: worker 1 has not answered
    relay.handle(1, one.worker, { switchyard: 'worker metrics', requestId: asked.requestId, metrics: ['a'] });
    expect(two.sent[1]).toEqual({
      switchyard: 'node metrics',
      requestId: 7,
      workers: [
        { worker: '1', metrics: ['a'] },
        { worker: '2', metrics: ['b'] },
      ],
      missing: [],
    });
    expect(relay.handle(1, one.worker, { switchyard: 'running' })).toBe(false);
  });

  it('hands on the costly figures a worker keeps, so that the one scraped need not read them again', () => {
    const one = fakeWorker();
    const relay = new MetricsRelay(() => [{ index: 1, worker: one.worker }]);
    relay.handle(1, one.worker, { switchyard: 'node metrics?', requestId: 3 });
    const id = (one.sent[0] as { requestId: number }).requestId;
    const kept = { stranded: { value: 12, ageMs: 4_000 } };
    relay.handle(1, one.worker, { switchyard: 'worker metrics', requestId: id, metrics: ['a'], kept });
    expect(one.sent[1]).toMatchObject({ switchyard: 'node metrics', workers: [{ worker: '1', kept }] });
  });

  it('answers without a worker that does not answer in time, naming it', () => {
    jest.useFakeTimers();
    try {
      const one = fakeWorker();
      const two = fakeWorker();
      const relay = new MetricsRelay(() => [
        { index: 1, worker: one.worker },
        { index: 2, worker: two.worker },
      ]);
      relay.handle(1, one.worker, { switchyard: 'node metrics?', requestId: 1 });
      const id = (one.sent[0] as { requestId: number }).requestId;
      relay.handle(1, one.worker, { switchyard: 'worker metrics', requestId: id, metrics: ['a'] });
      jest.advanceTimersByTime(2_500);
      expect(one.sent[1]).toMatchObject({
        switchyard: 'node metrics',
        workers: [{ worker: '1' }],
        missing: ['2'],
      });
    } finally {
      jest.useRealTimers();
    }
  });
});
