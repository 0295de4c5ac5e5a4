import { type ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal dialog on the native <dialog> element: focus trap, Escape and backdrop come from the browser.
 * When it goes away, focus goes back to what opened it (a keyboard or screen-reader user is not dropped
 * at the top of the page); if that control is gone, to the main content.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      // After the closing render: the opener may be re-rendered, or removed by what the dialog did.
      window.setTimeout(() => {
        if (opener?.isConnected) opener.focus();
        else if (!document.querySelector('dialog[open]')) document.getElementById('content')?.focus();
      }, 0);
    };
  }, []);
  const titleId = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={props.onClose} onCancel={props.onClose}>
      <header class="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="ghost" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}
