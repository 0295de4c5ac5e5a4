import { PHASE_LABELS } from '../../components/phase-words.js';
import {
  MIGRATION_PHASES as PHASES,
  type MigrationPhase as Phase,
} from '../../../../../libs/api/migration-phases.js';

/** The four phases in order: done, current, still to come. */
export function PhaseStepper(props: { phase: Phase; pending: boolean }) {
  const at = PHASES.indexOf(props.phase);
  return (
    <ol class="stepper" aria-label="Migration phases">
      {PHASES.map((p, i) => {
        const state =
          i < at ? 'done' : i === at ? 'current' : props.pending && i === at + 1 ? 'pending' : 'todo';
        return (
          <li
            key={p}
            class={`step step-${state}`}
            data-phase={p}
            data-step={state}
            aria-current={i === at ? 'step' : undefined}
          >
            <span class="step-number" aria-hidden="true">
              {i < at ? '✓' : i + 1}
            </span>
            <span class="step-name">{PHASE_LABELS[p]}</span>
            <code class="muted">{p}</code>
            <span class="visually-hidden">
              {state === 'done'
                ? ' (done)'
                : state === 'current'
                  ? ' (current phase)'
                  : state === 'pending'
                    ? ' (under way)'
                    : ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
