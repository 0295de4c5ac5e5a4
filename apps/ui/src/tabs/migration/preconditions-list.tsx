import type { Precondition } from '../../../../../libs/api/migration.js';
import type { MigrationPhase as Phase } from '../../../../../libs/api/migration-phases.js';
import { STEP_INTO } from '../../components/phase-words.js';

/** The next phase's checks, each green or red with its reason. */
export function PreconditionsList(props: { next: Phase; checks: Precondition[] }) {
  return (
    <section aria-labelledby="preconditions-title">
      <h2 id="preconditions-title">Checks before: {STEP_INTO[props.next]}</h2>
      <ul class="checks" aria-label={`Checks before: ${STEP_INTO[props.next]}`} data-next={props.next}>
        {props.checks.map((c) => (
          <li
            key={c.id}
            class={c.ok ? 'check-ok' : 'check-failed'}
            data-precondition={c.id}
            data-ok={String(c.ok)}
          >
            <span class="check-mark" aria-hidden="true">
              {c.ok ? '✓' : '✗'}
            </span>
            <strong>{c.id.replace(/_/g, ' ')}</strong>
            <span class="visually-hidden">{c.ok ? ' met: ' : ' not met: '}</span> <span>{c.reason}</span>
          </li>
        ))}
        {props.checks.length === 0 && <li class="muted">No preconditions.</li>}
      </ul>
    </section>
  );
}
