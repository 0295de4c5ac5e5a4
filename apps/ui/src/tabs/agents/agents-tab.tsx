import type { Agent, AgentStatus, Transport } from '../../../../../libs/api/agents.js';
import type { NodeListeners } from '../../../../../libs/api/listeners.js';
import { useMemo, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { AgentDetail } from './agent-detail.js';
import { GroupsBar, parseGroupList } from './agent-groups.js';
import { searchRows } from './agent-rows.js';
import { AgentsTable } from './agents-table.js';
import { DiagnosticsPanel } from './diagnostics-panel.js';
import { BulkActionsBar } from './bulk-actions-bar.js';
import { count, type BulkSelection } from './bulk-api.js';
import { EnrollmentTokens } from './enrollment-tokens.js';
import { useLiveAgents } from './use-live-agents.js';

export function AgentsTab(props: { agentId?: string }) {
  if (props.agentId) return <AgentDetail id={props.agentId} />;
  return <AgentsList />;
}

const DAY_MS = 86_400_000;

/** The filters central has no list parameter for, applied to the rows it sent (and sent along with a bulk action). */
function matchesLocal(a: Agent, version: string, days: number | undefined, now: number): boolean {
  if (version && a.agentVersion !== version) return false;
  if (days === undefined) return true;
  return a.status !== 'online' && Date.parse(a.lastSeenAt ?? a.enrolledAt) < now - days * DAY_MS;
}

function AgentsList() {
  const { session } = useApp();
  const [status, setStatus] = useState<AgentStatus | ''>('');
  const [transport, setTransport] = useState<Transport | ''>('');
  const [search, setSearch] = useState('');
  const [groupText, setGroupText] = useState('');
  const [version, setVersion] = useState('');
  const [daysText, setDaysText] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // 'matching': the bulk actions mean every agent the filters match, not only the ticked rows.
  const [scope, setScope] = useState<'ticked' | 'matching'>('ticked');
  const group = useMemo(() => {
    const parsed = parseGroupList(groupText);
    return 'error' in parsed ? { error: parsed.error } : { name: parsed.groups[0] };
  }, [groupText]);
  const days = daysText.trim() === '' ? undefined : Number(daysText);
  const daysError = days !== undefined && !(days >= 0) ? 'Days must be a number, 0 or more.' : undefined;
  const filter = useMemo(
    () => ({ status: status || undefined, transport: transport || undefined, group: group.name }),
    [status, transport, group.name],
  );
  const agents = useLiveAgents(filter);
  const canWrite = session.can('agents.write');
  const localDays = daysError ? undefined : days;
  const rows = useMemo(() => {
    if (!version.trim() && localDays === undefined) return agents.rows;
    const now = Date.now();
    return new Map([...agents.rows].filter(([, a]) => matchesLocal(a, version.trim(), localDays, now)));
  }, [agents.rows, version, localDays]);
  const matchingIds = useMemo(
    () =>
      searchRows([...rows.values()], search)
        .filter((a) => !a.revokedAt)
        .map((a) => a.id),
    [rows, search],
  );
  const selection = useMemo<BulkSelection>(() => {
    if (scope === 'ticked') return { ids: [...selected] };
    // A search is this page's own: central gets the ids it leaves; otherwise the filters themselves.
    if (search.trim()) return { ids: matchingIds };
    return {
      filter: {
        ...filter,
        ...(version.trim() ? { version: version.trim() } : {}),
        ...(localDays !== undefined ? { lastSeenOlderThanDays: localDays } : {}),
      },
    };
    // The ids matter only with a search: live row updates must not make a new selection (and a new count).
  }, [scope, selected, search.trim() ? matchingIds : null, filter, version, localDays]);
  const chosen = scope === 'matching' ? matchingIds.length : selected.size;
  const scopeLabel =
    scope === 'matching'
      ? `all ${count(chosen)} agents matching the filters`
      : `${count(chosen)} selected ${chosen === 1 ? 'agent' : 'agents'}`;
  const nodes = useLoad(() => api<NodeListeners[]>('GET', '/api/listeners'));
  const nodeNames = useMemo(
    () => new Map((nodes.value ?? []).map((n) => [n.nodeId, n.nodeName])),
    [nodes.value],
  );
  const [bulkMessage, setBulkMessage] = useState<string | undefined>();
  const afterBulk = (text: string) => {
    setBulkMessage(text);
    setSelected(new Set());
    setScope('ticked');
    agents.reload();
  };

  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <div class="filters" role="search">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as AgentStatus | '')}>
            <option value="">all</option>
            <option value="online">online</option>
            <option value="disconnected">disconnected</option>
            <option value="offline">offline</option>
            <option value="never_connected">never connected</option>
          </select>
        </label>
        <label>
          Transport
          <select value={transport} onChange={(e) => setTransport(e.currentTarget.value as Transport | '')}>
            <option value="">all</option>
            <option value="plain">plain</option>
            <option value="secure">secure</option>
            <option value="secure+mtls">secure+mtls</option>
          </select>
        </label>
        <label>
          Group
          <input
            type="text"
            placeholder="any"
            value={groupText}
            aria-invalid={'error' in group}
            onChange={(e) => setGroupText(e.currentTarget.value)}
          />
        </label>
        <label>
          Version
          <input
            type="text"
            placeholder="any"
            size={8}
            value={version}
            onChange={(e) => setVersion(e.currentTarget.value)}
          />
        </label>
        <label>
          Not seen for over (days)
          <input
            type="number"
            min={0}
            placeholder="any"
            value={daysText}
            aria-invalid={daysError !== undefined}
            onChange={(e) => setDaysText(e.currentTarget.value)}
          />
        </label>
        <label>
          Search
          <input
            type="search"
            placeholder="agent id, version, address, node"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </label>
      </div>
      {'error' in group && <Notice kind="error">{group.error}</Notice>}
      {daysError && <Notice kind="error">{daysError}</Notice>}
      {agents.error && <Notice kind="error">{agents.error}</Notice>}
      {bulkMessage && <Notice kind="ok">{bulkMessage}</Notice>}
      {canWrite && matchingIds.length > 0 && (
        <div class="actions">
          {scope === 'ticked' ? (
            <button type="button" class="ghost" onClick={() => setScope('matching')}>
              Select all {count(matchingIds.length)} agents matching the filters
            </button>
          ) : (
            <button type="button" class="ghost" onClick={() => setScope('ticked')}>
              Back to the ticked agents
            </button>
          )}
        </div>
      )}
      {canWrite && chosen > 0 && (
        <>
          <BulkActionsBar selection={selection} label={scopeLabel} onDone={afterBulk} />
          {/* The selection stays after a group edit: the outcome is shown in the bar, and a second edit often follows. */}
          <GroupsBar selection={selection} count={chosen} onChanged={agents.reload} />
        </>
      )}
      {canWrite && chosen > 0 && (
        <DiagnosticsPanel agentIds={scope === 'matching' ? matchingIds : [...selected]} />
      )}
      {agents.loading && agents.rows.size === 0 ? (
        <p class="loading">Loading agents…</p>
      ) : (
        <AgentsTable
          rows={rows}
          search={search}
          nodeNames={nodeNames}
          changedAt={agents.changedAt}
          selected={canWrite && scope === 'ticked' ? selected : undefined}
          onSelect={setSelected}
        />
      )}
      <EnrollmentTokens canWrite={canWrite} />
    </section>
  );
}
