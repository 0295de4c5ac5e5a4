import { useState } from 'preact/hooks';
import { useApp } from '../../live-context.js';
import { ACTIONS, BulkActionDialog } from './bulk-action-dialog.js';
import { describeResult, type BulkActionName, type BulkSelection } from './bulk-api.js';

type DialogAction = Exclude<BulkActionName, 'groups'>;

/**
 * What can be done to the chosen agents at once (ADR 40): each button opens a confirmation that shows
 * central's count first. Only the actions the user's role allows are offered.
 */
export function BulkActionsBar(props: {
  selection: BulkSelection;
  /** "3 selected agents", "all 1,000 agents matching the filters". */
  label: string;
  /** The action is done: `text` says what changed (the bar may vanish with the selection). */
  onDone: (text: string) => void;
}) {
  const { session } = useApp();
  const [open, setOpen] = useState<DialogAction | undefined>();
  const offered: DialogAction[] = [
    ...(session.can('migration.write') ? (['exempt', 'unexempt'] as const) : []),
    ...(session.can('rollouts.write') ? (['retry'] as const) : []),
    'revoke',
    // Deleting agents and their history takes an admin (the API refuses others).
    ...(session.role === 'admin' ? (['delete'] as const) : []),
  ];
  return (
    <div class="card bulk-bar" role="region" aria-label="Bulk actions">
      <p>
        <strong data-testid="bulk-scope">{props.label}</strong>
      </p>
      <div class="actions">
        {offered.map((a) => (
          <button
            key={a}
            type="button"
            class={ACTIONS[a].danger ? 'danger' : 'ghost'}
            onClick={() => setOpen(a)}
          >
            {ACTIONS[a].button}
          </button>
        ))}
      </div>
      {open && (
        <BulkActionDialog
          action={open}
          selection={props.selection}
          selectionLabel={props.label}
          onClose={() => setOpen(undefined)}
          onDone={(result) => {
            setOpen(undefined);
            props.onDone(describeResult(result, ACTIONS[open].done));
          }}
        />
      )}
    </div>
  );
}
