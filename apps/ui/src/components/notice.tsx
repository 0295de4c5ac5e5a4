import { type ComponentChildren } from 'preact';

/** A message region screen readers announce: errors as alerts, successes as status. */
export function Notice(props: { kind: 'error' | 'ok' | 'warn'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
