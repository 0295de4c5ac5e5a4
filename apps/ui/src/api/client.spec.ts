import { ApiError, isRefusal } from './client.js';

describe('ApiError: the refusal codes the UI branches on (ADR 49)', () => {
  it('matches the precise code, not the category every refusal of a kind shares', () => {
    const e = new ApiError(409, 'rollout_not_paused', 'cannot resume a rollout that is running', {
      error: 'conflict',
      code: 'rollout_not_paused',
    });
    expect(isRefusal(e, 'rollout_not_paused')).toBe(true);
    expect(isRefusal(e, 'rollout_already_finished', 'rollout_not_running')).toBe(false);
    expect(e.category).toBe('conflict');
  });

  it('takes the code for the category when an older central sent only `error`', () => {
    const e = new ApiError(409, 'conflict', 'x', { error: 'conflict' });
    expect(e.category).toBe('conflict');
    expect(isRefusal(e, 'rollout_not_paused')).toBe(false);
  });

  it('is false for anything that is not an API refusal', () => {
    expect(isRefusal(new Error('rollout_not_paused'), 'rollout_not_paused')).toBe(false);
    expect(isRefusal(undefined, 'rollout_not_paused')).toBe(false);
  });
});
