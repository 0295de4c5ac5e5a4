import { afterHello, afterStatus, recordIsFinal } from './rollout-agent-state.js';

const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describe('afterStatus', () => {
  it('follows the delivery forwards', () => {
    expect(afterStatus('pending', 'publish', { state: 'synchronizing' })?.state).toBe('synchronizing');
    expect(afterStatus('synchronizing', 'publish', { state: 'synchronized' })?.state).toBe('synchronized');
    expect(afterStatus('synchronized', 'publish', { state: 'applying' })?.state).toBe('applying');
    expect(afterStatus('applying', 'publish', { state: 'applied' })?.state).toBe('applied');
    // An answer may skip a step (the synchronizing frame was lost) but never go back.
    expect(afterStatus('pending', 'publish', { state: 'synchronized' })?.state).toBe('synchronized');
  });

  it('ignores duplicates, regressions and answers after the attempt finished', () => {
    expect(afterStatus('synchronized', 'publish', { state: 'synchronizing' })).toBeUndefined();
    expect(afterStatus('applying', 'publish', { state: 'applying' })).toBeUndefined();
    expect(afterStatus('applied', 'publish', { state: 'failed', reason: 'late' })).toBeUndefined();
    expect(afterStatus('failed', 'publish', { state: 'applied' })).toBeUndefined();
    expect(afterStatus('cancelled', 'publish', { state: 'synchronizing' })).toBeUndefined();
    expect(afterStatus('needs_upgrade', 'publish', { state: 'synchronized' })).toBeUndefined();
  });

  it('records failures with their reason, and a stale entry takes any genuine answer', () => {
    expect(afterStatus('applying', 'publish', { state: 'failed', reason: 'refused on 9150' })).toEqual({
      state: 'failed',
      reason: 'refused on 9150',
    });
    expect(afterStatus('stale', 'publish', { state: 'synchronized' })?.state).toBe('synchronized');
  });

  it('never records an activation a synchronize-only rollout did not ask for', () => {
    expect(afterStatus('synchronized', 'synchronize', { state: 'applied' })).toBeUndefined();
    expect(afterStatus('synchronized', 'synchronize', { state: 'failed', reason: 'x' })).toBeUndefined();
  });
});

describe('afterHello', () => {
  it('takes an applied entry back when the agent no longer runs the revision', () => {
    expect(afterHello('applied', 'publish', SHA, { active: OTHER, staged: null })).toEqual({
      state: 'pending',
      reason: `the agent reported profile ${OTHER.slice(0, 12)} at hello; synchronizing again`,
      restart: true,
    });
    expect(afterHello('applied', 'publish', SHA, { active: null, staged: SHA })?.state).toBe('synchronized');
  });

  it('shows what the agent runs or stages, and leaves an activation under way alone', () => {
    expect(afterHello('pending', 'publish', SHA, { active: SHA, staged: null })?.state).toBe('applied');
    expect(afterHello('stale', 'synchronize', SHA, { active: null, staged: SHA })?.state).toBe(
      'synchronized',
    );
    expect(afterHello('applying', 'publish', SHA, { active: OTHER, staged: SHA })).toBeUndefined();
    expect(afterHello('applied', 'publish', SHA, { active: SHA, staged: null })).toBeUndefined();
  });

  it('restarts a delivery the agent lost, but leaves pending, failed and cancelled entries', () => {
    expect(afterHello('synchronizing', 'publish', SHA, { active: null, staged: null })?.restart).toBe(true);
    expect(afterHello('pending', 'publish', SHA, { active: null, staged: null })).toBeUndefined();
    expect(afterHello('failed', 'publish', SHA, { active: OTHER, staged: null })).toBeUndefined();
    expect(afterHello('cancelled', 'publish', SHA, { active: null, staged: null })).toBeUndefined();
  });

  it('activates again an agent that restarted in its candidate window, told apart from the candidate', () => {
    const staged = { active: OTHER, staged: SHA };
    // The candidate connection's own hello: the activation is under way.
    expect(afterHello('applying', 'publish', SHA, { ...staged, candidate: true })).toBeUndefined();
    // The agent's ordinary hello with the new profile still only staged: the swap never committed.
    expect(afterHello('applying', 'publish', SHA, { ...staged, candidate: false })).toEqual({
      state: 'synchronized',
      reason: `the agent reported profile ${OTHER.slice(0, 12)} (staged ${SHA.slice(0, 12)}) at hello; the activation did not commit, activating again`,
    });
    // An agent older than the field: its two hellos look alike, so the entry is left as it was.
    expect(afterHello('applying', 'publish', SHA, staged)).toBeUndefined();
    // The swap did commit before the restart: applied, whichever connection says so.
    expect(
      afterHello('applying', 'publish', SHA, { active: SHA, staged: null, candidate: false })?.state,
    ).toBe('applied');
  });
});

describe('recordIsFinal', () => {
  it('keeps what a finished rollout recorded, and lets what it still has under way go on', () => {
    const final = (
      state: Parameters<typeof recordIsFinal>[0]['state'],
      rolloutState: string,
      mode = 'publish',
    ) => recordIsFinal({ state, mode: mode as 'publish' | 'synchronize', rolloutState });
    expect(final('applied', 'completed')).toBe(true);
    expect(final('synchronized', 'completed', 'synchronize')).toBe(true);
    expect(final('failed', 'completed')).toBe(true);
    expect(final('cancelled', 'completed')).toBe(true);
    // Agents that were offline, stale, or held back for an upgrade still get a completed rollout.
    for (const state of [
      'pending',
      'stale',
      'needs_upgrade',
      'synchronizing',
      'synchronized',
      'applying',
    ] as const)
      expect([state, final(state, 'completed')]).toEqual([state, false]);
    // Nothing of a cancelled rollout moves at hello; an unfinished rollout's record still follows the agent.
    expect(final('applying', 'cancelled')).toBe(true);
    for (const rolloutState of ['running', 'paused', 'awaiting_approval', 'halted'])
      expect([rolloutState, final('applied', rolloutState)]).toEqual([rolloutState, false]);
  });
});
