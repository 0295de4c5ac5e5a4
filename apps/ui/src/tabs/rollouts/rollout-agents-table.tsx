import { ROLLOUT_AGENT_STATES } from '../../../../../libs/api/rollout-states.js';
import type { RolloutDetail } from '../../../../../libs/api/rollouts.js';
import { ago, utc } from '../../components/format.js';
import { AGENTS_PAGE, type AgentsView, pageLabel } from './rollout-agents-page.js';
import { StateBadge } from './rollout-state-badge.js';
import { useNow } from '../../components/clock.js';

/**
 * A rollout's agents, a page at a time, optionally only one state (e.g. the failed ones of 10,000).
 * `view` is what the operator asked for (the controls follow it at once), `shownView` what the rows on
 * screen were fetched for (the page label tells about those rows).
 */
export function RolloutAgentsTable(props: {
  rollout: RolloutDetail;
  shownView: AgentsView;
  view: AgentsView;
  onView: (view: AgentsView) => void;
}) {
  const now = useNow();
  const { rollout: r, shownView, view, onView } = props;
  const shown = r.agents.length;
  const countOf = (s: string) => (s ? (r.states[s as keyof typeof r.states] ?? 0) : r.targetCount);
  return (
    <>
      <div class="filters">
        <label>
          Show
          <select
            value={view.state}
            onChange={(e) => onView({ offset: 0, state: e.currentTarget.value as AgentsView['state'] })}
          >
            <option value="">every agent ({countOf('').toLocaleString('en-US')})</option>
            {ROLLOUT_AGENT_STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')} ({countOf(s).toLocaleString('en-US')})
              </option>
            ))}
          </select>
        </label>
        <span class="muted" data-testid="agents-page">
          {pageLabel(shownView.offset, shown, r.agentsTotal)}
        </span>
        <button
          type="button"
          class="ghost"
          disabled={view.offset === 0}
          onClick={() => onView({ ...view, offset: Math.max(0, view.offset - AGENTS_PAGE) })}
        >
          Previous agents
        </button>
        <button
          type="button"
          class="ghost"
          disabled={view.offset + AGENTS_PAGE >= r.agentsTotal}
          onClick={() => onView({ ...view, offset: view.offset + AGENTS_PAGE })}
        >
          Next agents
        </button>
      </div>
      <table class="grid" aria-label="Agents of this rollout">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Wave</th>
            <th scope="col">State</th>
            <th scope="col">Reason</th>
            <th scope="col">Attempts</th>
            <th scope="col">Connection</th>
            <th scope="col">Changed</th>
          </tr>
        </thead>
        <tbody>
          {shown === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                No agents{shownView.state ? ` ${shownView.state.replace(/_/g, ' ')}` : ''}.
              </td>
            </tr>
          )}
          {r.agents.map((a) => (
            <tr key={a.agentId} data-rollout-agent={a.agentId}>
              <td>
                <code>{a.agentId}</code>
              </td>
              <td>{a.wave}</td>
              <td>
                <StateBadge state={a.state} />
              </td>
              <td>{a.reason ?? '—'}</td>
              <td>{a.attempts}</td>
              <td>{a.connection}</td>
              <td title={utc(a.stateChangedAt)}>{ago(a.stateChangedAt, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
