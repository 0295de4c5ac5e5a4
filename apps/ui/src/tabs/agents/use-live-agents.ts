import type { Agent } from '../../../../../libs/api/agents.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../../api/client.js';
import { useApp } from '../../live-context.js';
import { matchesServerFilter, type ServerFilter } from './agent-rows.js';

const PAGE = 5000;

/**
 * The agents the server filtered for us, kept current by the live socket. Changes that arrive while
 * the list loads are kept and applied on top of it, so none is lost between the two.
 */
export function useLiveAgents(filter: ServerFilter) {
  const { live } = useApp();
  const [rows, setRows] = useState<Map<string, Agent>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [changedAt, setChangedAt] = useState<Map<string, number>>(new Map());
  const pending = useRef<Agent[] | null>(null);
  // Bumped to read the list again after a bulk action (groups, deletions are not pushed live).
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    pending.current = [];
    const apply = (base: Map<string, Agent>, agents: Agent[], removed: string[]) => {
      const next = new Map(base);
      for (const a of agents) {
        if (matchesServerFilter(a, filter)) next.set(a.id, a);
        else next.delete(a.id);
      }
      for (const id of removed) next.delete(id);
      return next;
    };
    const off = live.subscribe((m) => {
      if (m.type !== 'agents.changed') return;
      if (pending.current) pending.current.push(...m.agents);
      else setRows((r) => apply(r, m.agents, m.removed));
      const now = Date.now();
      setChangedAt((c) => {
        const next = new Map(c);
        for (const a of m.agents) next.set(a.id, now);
        return next;
      });
    });
    (async () => {
      setLoading(true);
      const all: Agent[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await api<Agent[]>('GET', `/api/agents${query({ ...filter, limit: PAGE, offset })}`);
        all.push(...page);
        if (page.length < PAGE) break;
      }
      if (cancelled) return;
      const base = new Map(all.map((a) => [a.id, a]));
      const buffered = pending.current ?? [];
      pending.current = null;
      setRows(apply(base, buffered, []));
      setError(undefined);
    })()
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      off();
    };
  }, [live, filter.status, filter.transport, filter.group, generation]);

  return { rows, loading, error, changedAt, reload: () => setGeneration((g) => g + 1) };
}
