import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { type Agent } from '../../api/types.js';
import { Notice } from '../../components/notice.js';

const GROUP = /^[A-Za-z0-9._-]{1,64}$/;
/** PUTs in flight at once when editing a selection: enough to be quick, few enough to spare central. */
const PARALLEL = 8;

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

/** Adds or removes admin groups on the selected agents. */
export function GroupsBar(props: { selected: Agent[] }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const n = props.selected.length;

  const apply = async (how: 'add' | 'remove') => {
    const parsed = parseGroupList(text);
    if ('error' in parsed) return setMessage({ kind: 'error', text: parsed.error });
    if (parsed.groups.length === 0) return setMessage({ kind: 'error', text: 'Type at least one group.' });
    setBusy(true);
    setMessage(undefined);
    const queue = [...props.selected];
    const failed: string[] = [];
    let changed = 0;
    const worker = async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        const before = [...(a.adminGroups ?? [])].sort();
        const next = new Set(before);
        for (const g of parsed.groups) {
          if (how === 'add') next.add(g);
          else next.delete(g);
        }
        const after = [...next].sort();
        if (after.join(',') === before.join(',')) continue;
        try {
          await putAdminGroups(a.id, after);
          changed++;
        } catch (e) {
          failed.push(`${a.id}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, n) }, worker));
    setBusy(false);
    const verb = how === 'add' ? 'Added' : 'Removed';
    setMessage(
      failed.length === 0
        ? { kind: 'ok', text: `${verb} ${parsed.groups.join(', ')}: ${changed} of ${n} agents changed.` }
        : { kind: 'error', text: `${failed.length} of ${n} agents failed: ${failed.slice(0, 3).join('; ')}` },
    );
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
