import type { LoginSession } from '../../../../../libs/api/auth.js';
import { useState } from 'preact/hooks';
import { api, query, sessionEnded } from '../../api/client.js';
import { useNow } from '../../components/clock.js';
import { ago, utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { userRefusal } from './user-words.js';

/** Live logins: one's own, or (admins) everyone's; ending one logs that browser out at its next request. */
export function SessionsTable(props: { everyone: boolean; reloadKey: number }) {
  const sessions = useLoad(
    () =>
      api<LoginSession[]>('GET', `/api/auth/sessions${query({ scope: props.everyone ? 'all' : undefined })}`),
    [props.everyone, props.reloadKey],
  );
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const now = useNow();

  const end = async (s: LoginSession) => {
    setOutcome(undefined);
    try {
      await api('DELETE', `/api/auth/sessions/${s.id}`);
      if (s.current) {
        sessionEnded();
        return;
      }
      setOutcome({ kind: 'ok', text: `Ended a session of ${s.username} (from ${s.address ?? 'unknown'}).` });
    } catch (e) {
      setOutcome({ kind: 'error', text: userRefusal(e).message });
    }
    await sessions.reload();
  };

  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{props.everyone ? 'Active sessions (everyone)' : 'My active sessions'}</h2>
      {sessions.error && <Notice kind="error">{sessions.error}</Notice>}
      {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      <div class="table-scroll">
        <table class="grid" aria-label="Active sessions">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">From</th>
              <th scope="col">Started (UTC)</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(sessions.value ?? []).map((s) => (
              <tr key={s.id} data-session={s.id}>
                <td>
                  {s.username}
                  {s.current && <span class="badge badge-active"> this browser</span>}
                </td>
                <td>{s.address ?? '—'}</td>
                <td>{utc(s.startedAt)}</td>
                <td title={utc(s.lastUsedAt)}>{ago(s.lastUsedAt, now)}</td>
                <td>
                  <button type="button" class="ghost" onClick={() => void end(s)}>
                    {s.current ? 'End (log out)' : 'End session'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
