import { type ComponentChildren } from 'preact';

/** A dialog form's buttons: its submit (named for what it does) and Cancel, in the same place everywhere. */
export function DialogActions(props: {
  children: ComponentChildren;
  disabled: boolean;
  onCancel: () => void;
  danger?: boolean;
}) {
  return (
    <div class="actions">
      <button type="submit" class={props.danger ? 'danger' : undefined} disabled={props.disabled}>
        {props.children}
      </button>
      <button type="button" class="ghost" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}
