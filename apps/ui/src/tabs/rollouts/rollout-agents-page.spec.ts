import type { PushedRollout, RolloutAgentView, RolloutDetail } from '../../../../../libs/api/rollouts.js';
import { AGENTS_PAGE, applyPush, pageLabel, pageQuery } from './rollout-agents-page.js';

function agent(i: number, state: RolloutAgentView['state']): RolloutAgentView {
  return {
    agentId: `a${String(i).padStart(4, '0')}`,
    wave: 1,
    state,
    reason: null,
    attempts: 1,
    connection: 'online',
    stateChangedAt: '2026-11-23T00:00:00Z',
    sentAt: null,
    synchronizedAt: null,
    appliedAt: null,
  };
}

const summary = {
  id: 'r',
  state: 'running',
  waveProgress: [],
  states: { applied: 150, failed: 50 },
  targetCount: 200,
} as unknown as PushedRollout;

describe('rollout agents page', () => {
  it('cuts the page from a small rollout pushed with every agent, filtered by state', () => {
    const agents = Array.from({ length: 200 }, (_, i) => agent(i, i % 4 === 0 ? 'failed' : 'applied'));
    const second = applyPush(undefined, { ...summary, agents }, { offset: AGENTS_PAGE, state: '' })!;
    expect(second.agents.map((a) => a.agentId)[0]).toBe('a0100');
    expect(second.agents).toHaveLength(100);
    expect(second.agentsTotal).toBe(200);
    expect('agentsOmitted' in second).toBe(false);

    const failed = applyPush(undefined, { ...summary, agents }, { offset: 0, state: 'failed' })!;
    expect(failed.agents.every((a) => a.state === 'failed')).toBe(true);
    expect(failed.agentsTotal).toBe(50);
  });

  it('moves the summary of a big rollout pushed without agents and keeps the page on screen', () => {
    const shown = {
      ...summary,
      state: 'paused',
      agents: [agent(1, 'pending')],
      agentsTotal: 9,
    } as RolloutDetail;
    const r = applyPush(shown, { ...summary, agentsOmitted: true }, { offset: 0, state: '' })!;
    expect(r.state).toBe('running');
    expect(r.agents).toEqual(shown.agents);
    expect(r.agentsTotal).toBe(9);
    expect('agentsOmitted' in r).toBe(false);
    expect(
      applyPush(undefined, { ...summary, agentsOmitted: true }, { offset: 0, state: '' }),
    ).toBeUndefined();
  });

  it('labels pages and asks the API for the view', () => {
    expect(pageLabel(200, 100, 10_000)).toBe('201–300 of 10,000');
    expect(pageLabel(0, 0, 0)).toBe('none');
    expect(pageQuery({ offset: 100, state: 'stale' })).toEqual({ limit: 100, offset: 100, state: 'stale' });
  });
});
