import { percentOf } from './rollout-progress.js';

/** A labelled progress bar (role progressbar, so screen readers and tests read the same number). */
export function ProgressBar(props: { label: string; done: number; total: number; detail?: string }) {
  const percent = percentOf(props.done, props.total);
  return (
    <div class="progress-row">
      <span class="progress-label">{props.label}</span>
      <div
        class="progress"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent} % (${props.done} of ${props.total})`}
      >
        <div
          class={`progress-fill${percent === 100 ? ' progress-full' : ''}`}
          style={{ width: `${percent}%` }}
        />
      </div>
      <span class="progress-text" data-testid={`progress-${props.label}`}>
        {percent} %{' '}
        <span class="muted">
          ({props.done} of {props.total})
        </span>
      </span>
      {props.detail && <span class="muted progress-detail">{props.detail}</span>}
    </div>
  );
}
