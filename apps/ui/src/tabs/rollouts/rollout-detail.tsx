import type { RolloutAction, RolloutDetail, RolloutTargets } from '../../../../../libs/api/rollouts.js';
import { useState } from 'preact/hooks';
import { api, query } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useThrottled } from '../../components/use-throttled.js';
import { useApp } from '../../live-context.js';
import { go } from '../../route.js';
import { ProgressBar } from './progress-bar.js';
import { applicableActions } from './rollout-actions.js';
import { overallProgress, waveProgress } from './rollout-progress.js';
import { type AgentsView, applyPush, pageQuery } from './rollout-agents-page.js';
import { RolloutAgentsTable } from './rollout-agents-table.js';
import { StateBadge } from './rollout-state-badge.js';
import { rolloutKindWords, rolloutSubject } from './rollout-subject.js';
import { useLiveRollouts } from './use-live-rollouts.js';

const BIG_ROLLOUT_REFRESH_MS = 2000;

const ACTION_LABELS: Record<RolloutAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  approve: 'Approve next wave',
  cancel: 'Cancel rollout',
  'retry-failed': 'Retry failed',
};

function targetsText(t: RolloutTargets): string {
  if ('all' in t) return 'all agents';
  if ('groups' in t) return `groups ${t.groups.join(', ')}`;
  return `${t.agentIdCount} agent(s): ${t.agentIds.slice(0, 10).join(', ')}${t.agentIdCount > 10 ? ', …' : ''}`;
}

/** One rollout: live progress per wave, per-agent state and reason, and the operator's actions. */
export function RolloutDetailView(props: { id: string }) {
  const { session } = useApp();
  const canWrite = session.can('rollouts.write');
  const path = `/api/rollouts/${encodeURIComponent(props.id)}`;
  // What the operator asked to see; `shown` is what is on screen, with the view it was fetched for (the
  // pager never labels the previous page's rows with the next page's numbers while it loads).
  const [view, setView] = useState<AgentsView>({ offset: 0, state: '' });
  const shown = useLoad(
    async () => ({ view, detail: await api<RolloutDetail>('GET', `${path}${query(pageQuery(view))}`) }),
    [props.id, view.offset, view.state],
  );
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  // A big rollout moves about once a second while it pushes: its page is fetched at most this often.
  const refetch = useThrottled(() => void shown.reload(), BIG_ROLLOUT_REFRESH_MS);

  useLiveRollouts(
    (pushed) => {
      const mine = pushed.find((r) => r.id === props.id);
      if (!mine) return;
      shown.setValue((s) => {
        const detail = s && applyPush(s.detail, mine, s.view);
        return detail && { view: s.view, detail };
      });
      if (!mine.agents) refetch(); // a big rollout: the page on screen is fetched, never pushed
    },
    [props.id],
  );

  const act = async (action: RolloutAction) => {
    if (action === 'cancel' && !window.confirm('Cancel this rollout? Agents not reached yet get nothing.'))
      return;
    try {
      await api<RolloutDetail>('POST', `${path}/${action}`);
      await shown.reload();
      setMessage({ kind: 'ok', text: `${ACTION_LABELS[action]}: done.` });
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
    }
  };

  const r = shown.value?.detail;
  const overall = overallProgress(r?.waveProgress ?? []);
  return (
    <section aria-labelledby="rollout-title">
      <p>
        <a
          href="#/rollouts"
          onClick={(e) => {
            e.preventDefault();
            go('rollouts');
          }}
        >
          ← All rollouts
        </a>
      </p>
      <h1 id="rollout-title">Rollout of {r ? rolloutSubject(r) : '…'}</h1>
      {shown.error && <Notice kind="error">{shown.error}</Notice>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {r && (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="rollout-state">
              <StateBadge state={r.state} />
              {r.stateReason && <span class="muted"> {r.stateReason}</span>}
            </dd>
            <dt>Kind</dt>
            <dd data-testid="rollout-kind">{rolloutKindWords(r)}</dd>
            <dt>Mode</dt>
            <dd>
              {r.mode === 'publish' ? 'publish (deliver and activate)' : 'synchronize (deliver and stage)'}
            </dd>
            <dt>Targets</dt>
            <dd>{targetsText(r.targets)}</dd>
            <dt>Waves</dt>
            <dd data-testid="rollout-waves">
              {r.waves.sizes.join(' + ')} agents,{' '}
              {r.waves.order === 'random'
                ? `drawn at random (seed ${r.waves.seed ?? '?'})`
                : 'taken by agent id'}
            </dd>
            <dt>Thresholds</dt>
            <dd>
              success {r.successThresholdPercent} % per wave
              {r.pauseBetweenWaves ? ', approval between waves' : ''}; halt at{' '}
              {'count' in r.errorThreshold
                ? `${r.errorThreshold.count} failed agent(s)`
                : `${r.errorThreshold.percent} % failed`}
            </dd>
            <dt>Created</dt>
            <dd>
              {utc(r.createdAt)} by {r.createdBy}
            </dd>
          </dl>
          {canWrite && applicableActions(r).length > 0 && (
            <div class="actions">
              {applicableActions(r).map((a) => (
                <button
                  key={a}
                  type="button"
                  class={a === 'cancel' ? 'danger' : a === 'approve' || a === 'resume' ? '' : 'ghost'}
                  onClick={() => void act(a)}
                >
                  {ACTION_LABELS[a]}
                </button>
              ))}
            </div>
          )}
          <h2>Progress</h2>
          <div class="progress-list" aria-live="polite">
            <ProgressBar label="Overall" {...overall} />
            {r.waveProgress.map((w) => (
              <ProgressBar key={w.wave} label={`Wave ${w.wave}`} {...waveProgress(w)} />
            ))}
          </div>
          <h2>Agents</h2>
          <RolloutAgentsTable rollout={r} shownView={shown.value!.view} view={view} onView={setView} />
        </>
      )}
    </section>
  );
}
