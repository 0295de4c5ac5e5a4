import { type ComponentChildren } from 'preact';

/** A labelled control with its inline validation message, tied together for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  issue?: string;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${props.issue ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.issue && (
        <small class="muted" id={`${props.id}-hint`}>
          {props.hint}
        </small>
      )}
      {props.issue && (
        <small class="issue" id={`${props.id}-issue`} role="alert">
          {props.issue}
        </small>
      )}
    </div>
  );
}

/** aria attributes for a control whose Field may show an issue. */
export function described(id: string, issue: string | undefined) {
  return {
    id,
    'aria-invalid': issue ? true : undefined,
    'aria-describedby': issue ? `${id}-issue` : `${id}-hint`,
  };
}
