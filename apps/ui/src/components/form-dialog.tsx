import { type ComponentChildren } from 'preact';
import { Dialog } from './dialog.js';

/**
 * A dialog that is one form: Enter or the submit button calls `onSubmit` (the page never reloads), and
 * the fields stack as in every other dialog. End its children with DialogActions.
 */
export function FormDialog(props: {
  title: string;
  onClose: () => void;
  onSubmit: () => void | Promise<void>;
  children: ComponentChildren;
}) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void props.onSubmit();
        }}
      >
        {props.children}
      </form>
    </Dialog>
  );
}
