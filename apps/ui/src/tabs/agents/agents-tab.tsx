import { useMemo, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { type AgentStatus, type NodeListeners, type Transport } from '../../api/types.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { AgentDetail } from './agent-detail.js';
import { GroupsBar, parseGroupList } from './agent-groups.js';
import { AgentsTable } from './agents-table.js';
import { DiagnosticsPanel } from './diagnostics-panel.js';
import { EnrollmentTokens } from './enrollment-tokens.js';
import { useLiveAgents } from './use-live-agents.js';

export function AgentsTab(props: { agentId?: string }) {
  if (props.agentId) return <AgentDetail id={props.agentId} />;
  return <AgentsList />;
}

function AgentsList() {
  const { session } = useApp();
  const [status, setStatus] = useState<AgentStatus | ''>('');
  const [transport, setTransport] = useState<Transport | ''>('');
  const [search, setSearch] = useState('');
  const [groupText, setGroupText] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const group = useMemo(() => {
    const parsed = parseGroupList(groupText);
    return 'error' in parsed ? { error: parsed.error } : { name: parsed.groups[0] };
  }, [groupText]);
  const filter = useMemo(
    () => ({ status: status || undefined, transport: transport || undefined, group: group.name }),
    [status, transport, group.name],
  );
  const agents = useLiveAgents(filter);
  const canWrite = session.can('agents.write');
  const selectedRows = [...selected].flatMap((id) => {
    const row = agents.rows.get(id);
    return row ? [row] : [];
  });
  const nodes = useLoad(() => api<NodeListeners[]>('GET', '/api/listeners'));
  const nodeNames = useMemo(
    () => new Map((nodes.value ?? []).map((n) => [n.nodeId, n.nodeName])),
    [nodes.value],
  );

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
      {agents.error && <Notice kind="error">{agents.error}</Notice>}
      {canWrite && selectedRows.length > 0 && (
        // The selection stays after an edit: the outcome is shown in the bar, and a second edit often follows.
        <GroupsBar selected={selectedRows} />
      )}
      {canWrite && selectedRows.length > 0 && <DiagnosticsPanel agentIds={selectedRows.map((a) => a.id)} />}
      {agents.loading && agents.rows.size === 0 ? (
        <p class="loading">Loading agents…</p>
      ) : (
        <AgentsTable
          rows={agents.rows}
          search={search}
          nodeNames={nodeNames}
          changedAt={agents.changedAt}
          selected={canWrite ? selected : undefined}
          onSelect={setSelected}
        />
      )}
      <EnrollmentTokens canWrite={canWrite} />
    </section>
  );
}
