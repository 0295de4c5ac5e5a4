import type { PushedRollout, RolloutAgentState, RolloutDetail } from '../../../../../libs/api/rollouts.js';

/** Agents shown per page of a rollout's detail. */
export const AGENTS_PAGE = 100;

/** Which of a rollout's agents the operator is looking at. */
export interface AgentsView {
  offset: number;
  /** Only agents in this state; every agent when empty. */
  state: RolloutAgentState | '';
}

/** The query of GET /api/rollouts/:id for this view. */
export function pageQuery(view: AgentsView): Record<string, string | number> {
  return { limit: AGENTS_PAGE, offset: view.offset, state: view.state };
}

/**
 * What a live push means for the page on screen. A small rollout comes with every agent: the page is
 * cut here. A big one comes without: the summary moves at once and the page stays until the caller
 * has fetched it again.
 */
export function applyPush(
  shown: RolloutDetail | undefined,
  pushed: PushedRollout,
  view: AgentsView,
): RolloutDetail | undefined {
  const { agents, agentsOmitted: _omitted, agentsTotal: _total, ...summary } = pushed;
  if (!agents) return shown && { ...shown, ...summary };
  const matching = view.state ? agents.filter((a) => a.state === view.state) : agents;
  return {
    ...summary,
    agents: matching.slice(view.offset, view.offset + AGENTS_PAGE),
    agentsTotal: matching.length,
  };
}

/** "201–300 of 10,000" for the pager; "none" when nothing matches. */
export function pageLabel(offset: number, shown: number, total: number): string {
  if (total === 0 || shown === 0) return 'none';
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(offset + 1)}–${n(offset + shown)} of ${n(total)}`;
}
