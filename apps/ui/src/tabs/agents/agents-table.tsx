import type { Agent } from '../../../../../libs/api/agents.js';
import { useMemo, useState } from 'preact/hooks';
import { ago, shortSha } from '../../components/format.js';
import { go } from '../../route.js';
import { GroupList } from './agent-groups.js';
import { searchRows, sortRows, type SortKey } from './agent-rows.js';
import { StatusBadge } from './status-badge.js';
import { VirtualTable } from './virtual-table.js';
import { useNow } from '../../components/clock.js';

const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: 'id', label: 'Agent' },
  { key: 'status', label: 'Status' },
  { key: 'transport', label: 'Transport' },
  { key: 'agentVersion', label: 'Version' },
  { key: 'profileSha256', label: 'Profile (sha256)' },
  { key: 'groups', label: 'Groups' },
  { key: 'lastSeenAt', label: 'Last seen' },
  { key: 'nodeId', label: 'Node' },
];

/** How long a row stays highlighted after a live change. */
const FLASH_MS = 3000;

export function AgentsTable(props: {
  rows: Map<string, Agent>;
  search: string;
  nodeNames: Map<string, string>;
  changedAt: Map<string, number>;
  /** Ids ticked for a group edit; undefined: no selection column (read-only users). */
  selected?: Set<string>;
  onSelect?: (ids: Set<string>) => void;
}) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'id', descending: false });
  const shown = useMemo(
    () => sortRows(searchRows([...props.rows.values()], props.search), sort.key, sort.descending),
    [props.rows, props.search, sort],
  );
  const now = useNow(); // "x s ago" moves on its own
  const selected = props.selected;
  const allShown = selected !== undefined && shown.length > 0 && shown.every((a) => selected.has(a.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    props.onSelect?.(next);
  };
  return (
    <>
      <p class="muted" role="status" aria-live="polite" data-testid="agent-count">
        {shown.length === props.rows.size
          ? `${shown.length} agents`
          : `${shown.length} of ${props.rows.size} agents`}
      </p>
      <VirtualTable
        label="Agents"
        rows={shown}
        rowHeight={34}
        height={520}
        columns={COLUMNS.length + (selected ? 1 : 0)}
        head={
          <tr>
            {selected && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every agent shown"
                  checked={allShown}
                  onChange={(e) =>
                    props.onSelect?.(e.currentTarget.checked ? new Set(shown.map((a) => a.id)) : new Set())
                  }
                />
              </th>
            )}
            {COLUMNS.map((c) => (
              <th
                scope="col"
                key={c.key}
                aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  class="sort"
                  onClick={() =>
                    setSort({ key: c.key, descending: sort.key === c.key ? !sort.descending : false })
                  }
                >
                  {c.label}
                  <span aria-hidden="true">{sort.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        }
        row={(a) => (
          <tr
            key={a.id}
            data-agent={a.id}
            class={now - (props.changedAt.get(a.id) ?? 0) < FLASH_MS ? 'flash' : undefined}
            onDblClick={() => go('agents', a.id)}
          >
            {selected && (
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${a.id}`}
                  checked={selected.has(a.id)}
                  onChange={(e) => toggle(a.id, e.currentTarget.checked)}
                />
              </td>
            )}
            <td>
              <a href={`#/agents/${encodeURIComponent(a.id)}`}>{a.id}</a>
              {a.revokedAt && <span class="badge badge-failed">revoked</span>}
            </td>
            <td>
              <StatusBadge status={a.status} />
            </td>
            <td data-col="transport">{a.transport ?? '—'}</td>
            <td>{a.agentVersion ?? '—'}</td>
            <td>
              <code title={a.profileSha256 ?? undefined}>{shortSha(a.profileSha256)}</code>
            </td>
            <td data-col="groups">
              <GroupList agent={a} />
            </td>
            <td>{a.status === 'online' ? 'now' : ago(a.lastSeenAt, now)}</td>
            <td title={a.nodeId ?? undefined}>
              {a.nodeId ? (props.nodeNames.get(a.nodeId) ?? a.nodeId.slice(0, 8)) : '—'}
            </td>
          </tr>
        )}
      />
    </>
  );
}
