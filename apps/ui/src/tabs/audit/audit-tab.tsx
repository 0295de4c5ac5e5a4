import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../api/client.js';
import { type AuditEntry } from '../../api/types.js';
import { messageOf } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';

const PAGE = 100;

/** The audit log, newest first, searched by the server (actor, action, target). */
export function AuditTab() {
  const [search, setSearch] = useState('');
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const load = async (before?: string) => {
    try {
      const page = await api<AuditEntry[]>(
        'GET',
        `/api/audit${query({ search: search.trim(), limit: PAGE, before })}`,
      );
      setEntries((e) => (before ? [...e, ...page] : page));
      setMore(page.length === PAGE);
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  // Typing searches after a short pause, not at every key.
  useEffect(() => {
    const t = window.setTimeout(() => void load(), 250);
    return () => window.clearTimeout(t);
  }, [search]);

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <div class="filters" role="search">
        <label>
          Search
          <input
            type="search"
            placeholder="user, action or target"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </label>
        <button type="button" class="ghost" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      <table class="grid" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                No entries.
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{utc(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.address ?? '—'}</td>
              <td>{e.action}</td>
              <td>{e.target ?? '—'}</td>
              <td>
                <span class={`badge badge-${e.outcome}`}>{e.outcome}</span>
              </td>
              <td class="details">
                {Object.keys(e.details).length > 0 ? <code>{JSON.stringify(e.details)}</code> : '—'}
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
