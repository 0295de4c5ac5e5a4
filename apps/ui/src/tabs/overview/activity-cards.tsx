import { deliveryWords } from '../../components/rollout-words.js';
import type { FleetOverview } from '../../../../../libs/api/overview.js';
import { ago } from '../../components/format.js';
import { useNow } from '../../components/clock.js';
import { go } from '../../route.js';
import { ProgressBar } from '../rollouts/progress-bar.js';
import { missingDetail } from '../rollouts/rollout-progress.js';
import { StateBadge } from '../rollouts/rollout-state-badge.js';
import { BarList } from './bar-list.js';
import { count, handshakeReason } from './overview-figures.js';

function RolloutLink(props: { id: string; text: string }) {
  return (
    <a
      href={`#/rollouts/${props.id}`}
      onClick={(e) => {
        e.preventDefault();
        go('rollouts', props.id);
      }}
    >
      {props.text}
    </a>
  );
}

/** Unfinished rollouts with their progress over every target (cancelled and not reached count). */
export function RolloutsCard(props: { rollouts: FleetOverview['rollouts'] }) {
  return (
    <article class="card wide" aria-labelledby="ov-rollouts-title">
      <h2 id="ov-rollouts-title">Rollouts under way</h2>
      {props.rollouts.length === 0 ? (
        <p class="muted">No rollout is running, paused, waiting for approval or halted.</p>
      ) : (
        <ul class="ov-rollouts" aria-label="Rollouts under way">
          {props.rollouts.map((r) => (
            <li key={r.id} data-rollout={r.id}>
              <div class="ov-rollout-head">
                <RolloutLink id={r.id} text={deliveryWords(r)} />{' '}
                <span class="muted">
                  {r.mode}, wave {r.currentWave} of {r.waveCount}
                </span>{' '}
                <StateBadge state={r.state} />
                {r.stateReason && <span class="muted"> {r.stateReason}</span>}
              </div>
              <ProgressBar
                label={`Rollout ${deliveryWords(r)}`}
                done={r.done}
                total={r.targetCount}
                detail={missingDetail(r.states)}
              />
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

/** What went wrong lately: refused connections, failed deliveries, halted rollouts. */
export function FailuresCard(props: { failures: FleetOverview['failures'] }) {
  const f = props.failures;
  const now = useNow();
  const handshakes = Object.entries(f.handshake.byReason)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => ({ key: reason, label: handshakeReason(reason), value: n, tone: 'bad' as const }));
  return (
    <article class="card wide" aria-labelledby="ov-failures-title">
      <h2 id="ov-failures-title">Recent failures</h2>
      <div class="ov-columns">
        <div>
          <h3>Halted rollouts</h3>
          {f.halted.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="plain-list" aria-label="Halted rollouts">
              {f.halted.map((h) => (
                <li key={h.id}>
                  <RolloutLink id={h.id} text={deliveryWords(h)} />{' '}
                  <span class="muted">
                    halted {ago(h.since, now)}
                    {h.reason ? `: ${h.reason}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Profile deliveries failed (last {f.windowHours} h)</h3>
          <p
            class={f.profile.count > 0 ? 'big-figure bad' : 'big-figure ok'}
            data-testid="ov-profile-failures"
          >
            {count(f.profile.count)}
          </p>
          {f.profile.latest.length > 0 && (
            <ul class="plain-list" aria-label="Latest failed deliveries">
              {f.profile.latest.map((d) => (
                <li key={`${d.rolloutId}-${d.agentId}`}>
                  {d.agentId}{' '}
                  <span class="muted">
                    ({deliveryWords(d)}, {ago(d.at, now)}): {d.reason ?? 'no reason given'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Refused agent connections</h3>
          <p class={f.handshake.total > 0 ? 'big-figure bad' : 'big-figure ok'} data-testid="ov-handshake">
            {count(f.handshake.total)}
          </p>
          {handshakes.length > 0 && <BarList label="Refused connections by reason" bars={handshakes} />}
          <p class="muted">On this central node since it started {ago(f.handshake.since, now)}.</p>
        </div>
      </div>
    </article>
  );
}
