import type { Agent, AgentStatus, Transport } from '../../../../../libs/api/agents.js';

export interface ServerFilter {
  status?: AgentStatus;
  transport?: Transport;
  group?: string;
}

export type SortKey =
  'id' | 'status' | 'transport' | 'agentVersion' | 'profileSha256' | 'groups' | 'lastSeenAt' | 'nodeId';

/** Whether a live row still belongs in the list the server filtered for us. */
export function matchesServerFilter(a: Agent, f: ServerFilter): boolean {
  return (
    (!f.status || a.status === f.status) &&
    (!f.transport || a.transport === f.transport) &&
    (!f.group || a.groups.includes(f.group))
  );
}

const STATUS_ORDER: Record<AgentStatus, number> = {
  online: 0,
  disconnected: 1,
  offline: 2,
  never_connected: 3,
};

export function sortRows(rows: Agent[], key: SortKey, descending: boolean): Agent[] {
  const value = (a: Agent): string | number =>
    key === 'status'
      ? STATUS_ORDER[a.status]
      : key === 'lastSeenAt'
        ? Date.parse(a.lastSeenAt ?? '') || 0
        : key === 'groups'
          ? a.groups.join(',')
          : (a[key] ?? '');
  const sorted = [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
  });
  return descending ? sorted.reverse() : sorted;
}

/** Client-side text search over what is on screen (id, version, address, node, sha, groups). */
export function searchRows(rows: Agent[], text: string): Agent[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((a) =>
    [a.id, a.agentVersion, a.remoteAddress, a.nodeId, a.profileSha256, ...a.groups].some((v) =>
      v?.toLowerCase().includes(q),
    ),
  );
}
