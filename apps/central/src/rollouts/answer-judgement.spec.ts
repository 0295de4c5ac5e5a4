import { judgeAnswer } from './answer-judgement.js';
import { type StatusAnswer } from './progress-hold.js';
import { deliveryEntry } from './testing/delivery-entry.js';
import { type DeliveryEntry } from './rollout.types.js';

const SHA = 'a'.repeat(64);

// The recorder's side of a delivery: a synchronize on its second attempt, sent.
const entry = (over: Partial<DeliveryEntry> = {}) =>
  deliveryEntry({ attempts: 2, sentStep: 'sync', sentSession: 's1', mode: 'synchronize', ...over });

function answer(state: StatusAnswer['status']['state'], over: Partial<StatusAnswer> = {}): StatusAnswer {
  return {
    agentId: 'a1',
    rolloutId: 'r1',
    attempt: 2,
    status: { type: 'profile.status', deliveryId: 'r1.2', sha256: SHA, state },
    ...over,
  };
}

describe('judgeAnswer', () => {
  it('moves the entry forwards, from the state and attempt it was judged in', () => {
    const e = entry();
    expect(judgeAnswer(answer('synchronized'), e)).toEqual({
      outcome: { recorded: true, state: 'synchronized', mode: 'synchronize' },
      change: {
        rolloutId: 'r1',
        agentId: 'a1',
        fromState: 'pending',
        attempts: 2,
        state: 'synchronized',
        reason: null,
      },
      entry: e,
    });
  });

  it('keeps the failure reason the agent gave', () => {
    const failed = answer('failed');
    failed.status.reason = 'download failed: HTTP 404';
    expect(judgeAnswer(failed, entry())?.change).toMatchObject({
      state: 'failed',
      reason: 'download failed: HTTP 404',
    });
  });

  it('says why an answer does not count', () => {
    expect(judgeAnswer(answer('synchronized'), undefined).outcome).toEqual({
      recorded: false,
      why: 'no such delivery for this agent',
    });
    expect(judgeAnswer(answer('synchronized', { attempt: 1 }), entry()).outcome).toEqual({
      recorded: false,
      why: 'attempt 1 was replaced by 2',
    });
    const other = answer('synchronized');
    other.status.sha256 = 'b'.repeat(64);
    expect(judgeAnswer(other, entry()).outcome).toMatchObject({
      recorded: false,
      why: expect.stringMatching(/^sha256 b+ is not the revision's a+$/),
    });
    expect(judgeAnswer(answer('synchronizing'), entry({ state: 'synchronized' }))).toEqual({
      outcome: { recorded: false, why: 'duplicate' },
    });
  });
});
