import type { Rollout } from '../../../../../libs/api/rollouts.js';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { go } from '../../route.js';
import { CreateRolloutForm } from './create-rollout-form.js';
import { RolloutDetailView } from './rollout-detail.js';
import { rolloutSubject } from './rollout-subject.js';
import { StateBadge } from './rollout-state-badge.js';
import { useLiveRollouts } from './use-live-rollouts.js';

/** Rollouts: the list (states live), the create form (#/rollouts/new) or one rollout (#/rollouts/<id>). */
export function RolloutsTab(props: { id?: string }) {
  if (props.id === 'new') return <CreateRolloutForm />;
  if (props.id) return <RolloutDetailView key={props.id} id={props.id} />;
  return <RolloutList />;
}

function RolloutList() {
  const { session } = useApp();
  const list = useLoad(() => api<Rollout[]>('GET', '/api/rollouts'));
  useLiveRollouts(
    (pushed) => {
      const known = new Set((list.value ?? []).map((r) => r.id));
      if (pushed.some((r) => !known.has(r.id))) void list.reload();
      else list.setValue((rows) => rows?.map((r) => pushed.find((p) => p.id === r.id) ?? r));
    },
    [list.value],
  );

  return (
    <section aria-labelledby="rollouts-title">
      <h1 id="rollouts-title">Rollouts</h1>
      {session.can('rollouts.write') && (
        <div class="actions">
          <button type="button" onClick={() => go('rollouts', 'new')}>
            New rollout…
          </button>
        </div>
      )}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      <table class="grid" aria-label="Rollouts">
        <thead>
          <tr>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Delivers</th>
            <th scope="col">Mode</th>
            <th scope="col">State</th>
            <th scope="col">Wave</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {(list.value ?? []).map((r) => (
            <tr key={r.id} data-rollout={r.id}>
              <td>
                <a
                  href={`#/rollouts/${r.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    go('rollouts', r.id);
                  }}
                >
                  {utc(r.createdAt)}
                </a>
              </td>
              <td data-testid="rollout-subject">{rolloutSubject(r)}</td>
              <td>{r.mode}</td>
              <td>
                <StateBadge state={r.state} />
                {r.stateReason && <span class="muted"> {r.stateReason}</span>}
              </td>
              <td>
                {r.currentWave} of {r.waveCount}
              </td>
              <td>{r.createdBy}</td>
            </tr>
          ))}
          {list.value?.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No rollout yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
