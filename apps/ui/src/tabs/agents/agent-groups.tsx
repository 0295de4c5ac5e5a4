import type { Agent } from '../../../../../libs/api/agents.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { runBulk, type BulkSelection } from './bulk-api.js';

const GROUP = /^[A-Za-z0-9._-]{1,64}$/;

/** Group names typed as a comma list; the error names the first one that is not a group name. */
export function parseGroupList(text: string): { groups: string[] } | { error: string } {
  const groups = [...new Set(text.split(',').map((g) => g.trim()))].filter((g) => g !== '');
  const wrong = groups.find((g) => !GROUP.test(g));
  if (wrong !== undefined)
    return { error: `"${wrong}" is not a group name: use 1-64 letters, digits, '.', '_' or '-'` };
  return { groups: groups.sort() };
}

/** Replaces the admin groups of one agent (its reported groups stay: they come from its agent.conf). */
export function putAdminGroups(id: string, groups: string[]): Promise<Agent> {
  return api<Agent>('PUT', `/api/agents/${encodeURIComponent(id)}/groups`, { groups });
}

/** The groups of a row: an admin's plain, the agent's own (agent.conf) marked as such. */
export function GroupList(props: { agent: Agent }) {
  const { adminGroups = [], reportedGroups = [] } = props.agent;
  if (adminGroups.length + reportedGroups.length === 0) return <>—</>;
  return (
    <span class="groups">
      {adminGroups.map((g) => (
        <span key={`a-${g}`} class="badge" title="set by an admin">
          {g}
        </span>
      ))}
      {reportedGroups.map((g) => (
        <span key={`r-${g}`} class="badge badge-pending" title="from the agent's agent.conf (agent.group)">
          {g}
        </span>
      ))}
    </span>
  );
}

/** Adds or removes admin groups on the chosen agents, in one bulk call (ADR 40). */
export function GroupsBar(props: { selection: BulkSelection; count: number; onChanged?: () => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const n = props.count;

  const apply = async (how: 'add' | 'remove') => {
    const parsed = parseGroupList(text);
    if ('error' in parsed) return setMessage({ kind: 'error', text: parsed.error });
    if (parsed.groups.length === 0) return setMessage({ kind: 'error', text: 'Type at least one group.' });
    setBusy(true);
    setMessage(undefined);
    try {
      const r = await runBulk('groups', props.selection, { mode: how, groups: parsed.groups }, false);
      const verb = how === 'add' ? 'Added' : 'Removed';
      setMessage({
        kind: 'ok',
        text: `${verb} ${parsed.groups.join(', ')}: ${r.changed} of ${r.matched} agents changed.`,
      });
      props.onChanged?.();
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card groups-bar" aria-label="Groups of the selected agents">
      <label>
        Groups for {n} selected {n === 1 ? 'agent' : 'agents'}
        <input
          type="text"
          placeholder="north, tills"
          value={text}
          disabled={busy}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <div class="actions">
        <button type="button" disabled={busy || n === 0} onClick={() => void apply('add')}>
          Add to selected
        </button>
        <button type="button" class="ghost" disabled={busy || n === 0} onClick={() => void apply('remove')}>
          Remove from selected
        </button>
      </div>
      <p class="muted">
        These are admin groups. Groups an agent reports from its agent.conf (shaded) change only there.
      </p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </div>
  );
}
