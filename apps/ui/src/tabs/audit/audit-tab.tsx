import type { AuditEntry } from '../../../../../libs/api/audit.js';
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { AuditDetails } from './audit-details.js';

const PAGE = 100;

interface Filters {
  search: string;
  actor: string;
  outcome: '' | AuditEntry['outcome'];
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { search: '', actor: '', outcome: '', from: '', to: '' };

/** `datetime-local` values are the browser's local time; the API takes an instant. */
function instant(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

function filterQuery(f: Filters): Record<string, string | undefined> {
  return {
    search: f.search.trim(),
    actor: f.actor.trim(),
    outcome: f.outcome,
    from: instant(f.from),
    to: instant(f.to),
  };
}

/** The audit log, newest first, one line per action in words, filtered by the server, exportable as CSV. */
export function AuditTab() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  const load = async (before?: string) => {
    try {
      const page = await api<AuditEntry[]>(
        'GET',
        `/api/audit${query({ ...filterQuery(filters), limit: PAGE, before })}`,
      );
      setEntries((e) => (before ? [...e, ...page] : page));
      setMore(page.length === PAGE);
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  // Typing filters after a short pause, not at every key.
  useEffect(() => {
    const t = window.setTimeout(() => void load(), 250);
    return () => window.clearTimeout(t);
  }, [filters]);

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <div class="filters" role="search">
        <label>
          Search
          <input
            type="search"
            placeholder="user, action or target"
            value={filters.search}
            onInput={(e) => set({ search: e.currentTarget.value })}
          />
        </label>
        <label>
          User
          <input
            type="text"
            placeholder="exact user name"
            value={filters.actor}
            onInput={(e) => set({ actor: e.currentTarget.value })}
          />
        </label>
        <label>
          Outcome
          <select
            value={filters.outcome}
            onChange={(e) => set({ outcome: e.currentTarget.value as Filters['outcome'] })}
          >
            <option value="">any</option>
            <option value="success">success</option>
            <option value="refused">refused</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={filters.from}
            onInput={(e) => set({ from: e.currentTarget.value })}
          />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            value={filters.to}
            onInput={(e) => set({ to: e.currentTarget.value })}
          />
        </label>
        <button type="button" class="ghost" onClick={() => void load()}>
          Refresh
        </button>
        <a class="button ghost" href={`/api/audit/export${query(filterQuery(filters))}`} download>
          Export CSV
        </a>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      <table class="grid" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
            <th scope="col">What</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No entries.
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{utc(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.address ?? '—'}</td>
              <td title={e.action}>{e.summary}</td>
              <td>
                <span class={`badge badge-${e.outcome}`}>{e.outcome}</span>
              </td>
              <td class="details">
                <AuditDetails details={e.details} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {more && (
        <button type="button" class="ghost" onClick={() => void load(entries[entries.length - 1]?.id)}>
          Older entries
        </button>
      )}
    </section>
  );
}
