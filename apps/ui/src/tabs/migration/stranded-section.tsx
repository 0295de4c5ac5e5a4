import { useState } from 'preact/hooks';
import { api, query } from '../../api/client.js';
import { ago } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { StrandedExemptDialog } from './stranded-exempt-dialog.js';
import {
  REASON_WORDS,
  REASONS,
  type ReasonCode,
  type StrandedFilter,
  type StrandedPage,
} from './stranded-types.js';

const PAGE = 50;
const GROUP = /^[A-Za-z0-9._-]{1,64}$/;
const n = (v: number) => v.toLocaleString('en-US');

/**
 * Who secure_only would strand, at fleet size (ADR 40): counts by reason first, then one page of a
 * filterable table, and one step to exempt all that a filter matches ("offline for over 30 days").
 */
export function StrandedSection(props: {
  /** The gate's minimum window, once the status is read. */
  minWindowHours?: number;
  canWrite: boolean;
  /** Changes when the migration status was read again: the table follows. */
  reloadKey: unknown;
  onExempted: (text: string) => void;
}) {
  const [reason, setReason] = useState<ReasonCode | ''>('');
  const [group, setGroup] = useState('');
  const [daysText, setDaysText] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [exempting, setExempting] = useState(false);
  const days = daysText.trim() === '' ? undefined : Number(daysText);
  const problem =
    group.trim() && !GROUP.test(group.trim())
      ? `"${group.trim()}" is not a group name: use 1-64 letters, digits, '.', '_' or '-'`
      : days !== undefined && !(days >= 0)
        ? 'Days must be a number, 0 or more.'
        : undefined;
  const filter: StrandedFilter = {
    ...(reason ? { reason } : {}),
    ...(group.trim() ? { group: group.trim() } : {}),
    ...(days !== undefined && !problem ? { lastSeenOlderThanDays: days } : {}),
    ...(search.trim() ? { search: search.trim() } : {}),
  };
  const key = JSON.stringify(filter);
  const page = useLoad(
    () =>
      problem
        ? Promise.resolve(undefined)
        : api<StrandedPage>('GET', `/api/migration/stranded${query({ ...filter, limit: PAGE, offset })}`),
    [key, offset, props.reloadKey, problem],
  );
  const refilter = (apply: () => void) => {
    apply();
    setOffset(0);
  };
  const p = page.value;
  const total = p?.counts.total ?? 0;

  return (
    <section aria-labelledby="stranded-title">
      <h2 id="stranded-title">
        Would be stranded by closing the plain listener (<span data-testid="stranded-total">{n(total)}</span>)
      </h2>
      {props.minWindowHours !== undefined && (
        <p class="muted">
          Every registered, non-exempt agent must have connected over secure within {props.minWindowHours} h
          (longer for agents often away).
        </p>
      )}
      {p && total > 0 && (
        <div class="actions" role="group" aria-label="Stranded agents by reason">
          <button
            type="button"
            class="ghost"
            aria-pressed={reason === ''}
            onClick={() => refilter(() => setReason(''))}
          >
            All {n(total)}
          </button>
          {REASONS.filter((r) => p.counts.byReason[r] > 0).map((r) => (
            <button
              key={r}
              type="button"
              class="ghost"
              data-reason={r}
              aria-pressed={reason === r}
              onClick={() => refilter(() => setReason(r))}
            >
              {n(p.counts.byReason[r])} {REASON_WORDS[r]}
            </button>
          ))}
        </div>
      )}
      {total > 0 && (
        <div class="filters" role="search" aria-label="Filter the stranded agents">
          <label>
            Reason
            <select
              value={reason}
              onChange={(e) => refilter(() => setReason(e.currentTarget.value as ReasonCode | ''))}
            >
              <option value="">any</option>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {REASON_WORDS[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Group
            <input
              placeholder="any"
              value={group}
              onChange={(e) => refilter(() => setGroup(e.currentTarget.value))}
            />
          </label>
          <label>
            Not seen for over (days)
            <input
              type="number"
              min={0}
              placeholder="any"
              value={daysText}
              onChange={(e) => refilter(() => setDaysText(e.currentTarget.value))}
            />
          </label>
          <label>
            Id contains
            <input
              type="search"
              value={search}
              onChange={(e) => refilter(() => setSearch(e.currentTarget.value))}
            />
          </label>
        </div>
      )}
      {problem && <Notice kind="error">{problem}</Notice>}
      {page.error && <Notice kind="error">{page.error}</Notice>}
      {p && total === 0 && <p>Nobody.</p>}
      {p && total > 0 && (
        <>
          <div class="actions">
            <span data-testid="stranded-matched">
              {p.matched === total ? `${n(total)} agents` : `${n(p.matched)} of ${n(total)} agents match`}
            </span>
            {props.canWrite && p.matched > 0 && (
              <button type="button" onClick={() => setExempting(true)}>
                Exempt {p.matched === total ? 'all' : 'these'} {n(p.matched)}…
              </button>
            )}
          </div>
          <div class="table-scroll">
            <table class="grid" aria-label="Agents closing the plain listener would strand">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Why</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Groups</th>
                </tr>
              </thead>
              <tbody>
                {p.agents.map((a) => (
                  <tr key={a.agentId} data-stranded={a.agentId}>
                    <td>
                      <a href={`#/agents/${encodeURIComponent(a.agentId)}`}>{a.agentId}</a>
                    </td>
                    <td>{a.reasons.map((r) => r.message).join('; ')}</td>
                    <td>{a.status.replace('_', ' ')}</td>
                    <td>{a.status === 'online' ? 'now' : ago(a.lastSeenAt)}</td>
                    <td>{a.groups.join(', ') || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {p.matched > PAGE && (
            <nav class="actions" aria-label="Stranded agents pages">
              <button
                type="button"
                class="ghost"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                Previous
              </button>
              <span>
                {n(offset + 1)}–{n(Math.min(offset + PAGE, p.matched))} of {n(p.matched)}
              </span>
              <button
                type="button"
                class="ghost"
                disabled={offset + PAGE >= p.matched}
                onClick={() => setOffset(offset + PAGE)}
              >
                Next
              </button>
            </nav>
          )}
        </>
      )}
      {exempting && p && (
        <StrandedExemptDialog
          filter={filter}
          matched={p.matched}
          onClose={() => setExempting(false)}
          onDone={(text) => {
            setExempting(false);
            setOffset(0);
            props.onExempted(text);
          }}
        />
      )}
    </section>
  );
}
