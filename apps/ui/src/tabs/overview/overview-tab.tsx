import type { FleetOverview } from '../../../../../libs/api/overview.js';
import { useEffect } from 'preact/hooks';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useThrottled } from '../../components/use-throttled.js';
import { useApp } from '../../live-context.js';
import { FailuresCard, RolloutsCard } from './activity-cards.js';
import { RevisionsCard, StatusCard, TransportCard } from './fleet-cards.js';
import { CertificateCard, MigrationCard } from './health-cards.js';
import './overview.css';

/** A fleet that changes all the time is read again at most this often. */
const LIVE_REFRESH_MS = 2_000;
/** What the live channel does not push (certificate days, failures, the gate) is read again this often. */
const PERIODIC_REFRESH_MS = 30_000;

/**
 * The landing page: the fleet at a glance from one `GET /api/overview`, read again when the live channel
 * says agents or rollouts moved. When the channel is down the app's stale banner greys it like every tab.
 */
export function OverviewTab() {
  const { live } = useApp();
  const data = useLoad(() => api<FleetOverview>('GET', '/api/overview'));
  const refresh = useThrottled(() => void data.reload(), LIVE_REFRESH_MS);

  useEffect(
    () =>
      live.subscribe((m) => {
        if (m.type === 'agents.changed' || m.type === 'rollouts.changed') refresh();
      }),
    [live],
  );
  // Back from a dropped channel: what changed meanwhile was never pushed.
  useEffect(() => live.onState((s) => s === 'live' && refresh()), [live]);
  useEffect(() => {
    const timer = window.setInterval(refresh, PERIODIC_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  const o = data.value;
  const missing = o ? Object.entries(o.unavailable) : [];
  return (
    <section class="overview" aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      {missing.length > 0 && (
        <Notice kind="warn">
          Part of the overview could not be read:{' '}
          {missing.map(([part, why]) => `${part} (${why})`).join('; ')}
        </Notice>
      )}
      {!o && !data.error && <p class="muted">Loading…</p>}
      {o && (
        <>
          <p class="muted" data-testid="ov-as-of">
            As of {utc(o.generatedAt)}; updated as the fleet changes.
          </p>
          <div class="ov-grid">
            <StatusCard agents={o.agents} />
            <TransportCard agents={o.agents} />
            <RevisionsCard profiles={o.profiles} />
            <MigrationCard migration={o.migration} />
            <CertificateCard certificate={o.certificate} />
            <RolloutsCard rollouts={o.rollouts} />
            <FailuresCard failures={o.failures} />
          </div>
        </>
      )}
    </section>
  );
}
