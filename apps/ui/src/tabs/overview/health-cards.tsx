import type { MigrationPhase } from '../../../../../libs/api/migration-phases.js';
import type { FleetOverview } from '../../../../../libs/api/overview.js';
import { useNow } from '../../components/clock.js';
import { ago, utc } from '../../components/format.js';
import { go } from '../../route.js';
import { certificateFigure, count, PHASE_WORDS } from './overview-figures.js';

const PHASES: MigrationPhase[] = ['plain_only', 'dual', 'secure_published', 'secure_only'];

/** The plain → secure migration: where it is, and who the last step would strand now. */
export function MigrationCard(props: { migration: FleetOverview['migration'] }) {
  const m = props.migration;
  const now = useNow();
  return (
    <article class="card" aria-labelledby="ov-migration-title">
      <h2 id="ov-migration-title">Migration to secure</h2>
      {!m ? (
        <p class="muted">The migration state could not be read.</p>
      ) : (
        <>
          <ol class="phase-steps" aria-label="Migration phases">
            {PHASES.map((p) => (
              <li
                key={p}
                aria-current={p === m.phase ? 'step' : undefined}
                class={PHASES.indexOf(p) < PHASES.indexOf(m.phase) ? 'done' : p === m.phase ? 'current' : ''}
              >
                {PHASE_WORDS[p]}
              </li>
            ))}
          </ol>
          <p data-testid="ov-stranded">
            {m.phase === 'secure_only' ? (
              'Plain is closed to agents.'
            ) : m.stranded === 0 ? (
              <span class="ok">No agent would be stranded by Secure only.</span>
            ) : (
              <span class="warn">{count(m.stranded)} agent(s) would be stranded by Secure only</span>
            )}{' '}
            <span class="muted">(checked {ago(m.strandedCheckedAt, now)})</span>{' '}
            <a
              href="#/migration"
              onClick={(e) => {
                e.preventDefault();
                go('migration');
              }}
            >
              Open Migration
            </a>
          </p>
        </>
      )}
    </article>
  );
}

/** The active server certificate's days left, judged by its own lifetime. */
export function CertificateCard(props: { certificate: FleetOverview['certificate'] }) {
  const c = props.certificate;
  const figure = c && certificateFigure(c);
  return (
    <article class="card" aria-labelledby="ov-certificate-title">
      <h2 id="ov-certificate-title">Server certificate</h2>
      {!c || !figure ? (
        <p class="muted">No server certificate is active yet.</p>
      ) : (
        <>
          <p class={`big-figure ${figure.tone}`} data-testid="ov-certificate">
            {figure.headline}
          </p>
          <p class="muted">
            {c.subject}, until {utc(c.notAfter)}
            <br />
            {figure.detail}
          </p>
        </>
      )}
    </article>
  );
}
