import type { Rotation, RotationStepId } from '../../../../../libs/api/rotation.js';

const ROTATION_STEP_LABELS: Record<RotationStepId, string> = {
  stage: 'Stage the new certificate',
  trust: 'Trust both anchors (rollout)',
  gate: 'Every agent reports the new anchor',
  activate: 'Serve the new certificate',
  cleanup: 'Clean-up: drop the old anchor',
};

/** The five steps of a rotation (ADR 30), like the migration's phases: done, under way, to come. */
export function RotationStepper(props: { rotation: Rotation }) {
  const { rotation } = props;
  return (
    <ol class="stepper" aria-label="Certificate rotation steps">
      {rotation.steps.map((step, i) => {
        const shown = step.state === 'current' ? 'current' : step.state === 'done' ? 'done' : 'todo';
        const detail = stepDetail(rotation, step.id);
        return (
          <li
            key={step.id}
            class={`step step-${shown}`}
            data-rotation-step={step.id}
            data-step={step.state}
            aria-current={step.state === 'current' ? 'step' : undefined}
          >
            <span class="step-number" aria-hidden="true">
              {step.state === 'done' ? '✓' : step.state === 'skipped' ? '–' : i + 1}
            </span>
            <span class="step-name">{ROTATION_STEP_LABELS[step.id]}</span>
            {detail && <span class="muted">{detail}</span>}
            <span class="visually-hidden">{` (${step.state})`}</span>
          </li>
        );
      })}
    </ol>
  );
}

function stepDetail(rotation: Rotation, id: string): string | undefined {
  const step = rotation.steps.find((s) => s.id === id);
  if (step?.rollouts && step.rollouts.length > 0)
    return step.rollouts
      .map((r) => {
        const counts = r.progress
          ? Object.entries(r.progress.agents)
              .map(([state, n]) => `${n} ${state}`)
              .join(', ')
          : '';
        return `${r.profile} r${r.revision}: ${r.progress?.state ?? '…'}${counts ? ` (${counts})` : ''}`;
      })
      .join('; ');
  if (id === 'gate' && rotation.gate)
    return `${rotation.gate.trusting}/${rotation.gate.total} agents report the new anchor`;
  return undefined;
}
