import { deliveryWords } from '../../components/rollout-words.js';
import type { Rollout } from '../../../../../libs/api/rollouts.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Dialog } from '../../components/dialog.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { ExemptionFields } from '../../components/exemption-fields.js';
import { messageOf, refusalText } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { count, runBulk, type BulkActionName, type BulkResult, type BulkSelection } from './bulk-api.js';

/** The actions the bar offers, in the operator's words: the button, the confirmation, the outcome. */
export const ACTIONS: Record<
  Exclude<BulkActionName, 'groups'>,
  { button: string; confirm: string; done: string; danger?: boolean }
> = {
  exempt: { button: 'Exempt from migration…', confirm: 'Exempt', done: 'Exempted' },
  unexempt: {
    button: 'Remove exemptions…',
    confirm: 'Remove the exemptions of',
    done: 'Removed exemptions of',
  },
  revoke: { button: 'Revoke…', confirm: 'Revoke', done: 'Revoked', danger: true },
  delete: { button: 'Delete…', confirm: 'Delete', done: 'Deleted', danger: true },
  retry: { button: 'Retry in a rollout…', confirm: 'Retry', done: 'Retried' },
};

const RETRYABLE = new Set(['running', 'paused', 'awaiting_approval', 'halted', 'completed']);

function inAWeek(): string {
  const d = new Date(Date.now() + 7 * 86_400_000);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/**
 * Confirms a bulk action: central first counts what it would do (a dry run, nothing changes), the
 * operator confirms that count, then it is done in one step.
 */
export function BulkActionDialog(props: {
  action: Exclude<BulkActionName, 'groups'>;
  selection: BulkSelection;
  /** "3 selected agents", "every agent matching the filters". */
  selectionLabel: string;
  onClose: () => void;
  onDone: (result: BulkResult) => void;
}) {
  const words = ACTIONS[props.action];
  const [reason, setReason] = useState('');
  const [expiresAt, setExpiresAt] = useState(inAWeek());
  const [rollouts, setRollouts] = useState<Rollout[]>([]);
  const [rolloutId, setRolloutId] = useState('');
  const [preview, setPreview] = useState<BulkResult | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (props.action !== 'retry') return;
    void api<Rollout[]>('GET', '/api/rollouts?limit=50').then((list) => {
      const open = list.filter((r) => RETRYABLE.has(r.state));
      setRollouts(open);
      setRolloutId((id) => id || (open[0]?.id ?? ''));
    });
  }, [props.action]);

  const fields = (): Record<string, unknown> | undefined => {
    if (props.action === 'exempt') {
      if (!reason.trim()) return undefined;
      return { reason, expiresAt: new Date(expiresAt).toISOString() };
    }
    if (props.action === 'retry') return rolloutId ? { rolloutId } : undefined;
    return {};
  };
  const ready = fields() !== undefined;

  // Count again whenever what the action would do changes (not on every key press of the reason).
  useEffect(() => {
    const f = fields();
    if (!f) return setPreview(undefined);
    let current = true;
    setBusy(true);
    runBulk(props.action, props.selection, f, true)
      .then((r) => current && (setPreview(r), setError(undefined)))
      .catch((e: unknown) => {
        if (!current) return;
        setError(refusalText(e));
        setPreview(undefined);
      })
      .finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
  }, [props.action, props.selection, rolloutId, expiresAt, reason.trim() === '']);

  const confirm = async () => {
    const f = fields();
    if (!f) return;
    setBusy(true);
    try {
      props.onDone(await runBulk(props.action, props.selection, f, false));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const title = `${words.confirm} ${props.selectionLabel}`;
  return (
    <Dialog title={title} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        {props.action === 'exempt' && (
          <>
            <ExemptionFields {...{ reason, expiresAt }} onReason={setReason} onExpiresAt={setExpiresAt} />
          </>
        )}
        {props.action === 'retry' && (
          <label>
            Rollout
            <select value={rolloutId} onChange={(e) => setRolloutId(e.currentTarget.value)}>
              {rollouts.length === 0 && <option value="">(no rollout to retry in)</option>}
              {rollouts.map((r) => (
                <option key={r.id} value={r.id}>
                  {deliveryWords(r)} · {r.state} · started {utc(r.createdAt)}
                </option>
              ))}
            </select>
          </label>
        )}
        {props.action === 'delete' && (
          <p class="muted">
            Deleting removes the agents and their history. An agent that is online is skipped: revoke it
            first.
          </p>
        )}
        {error && <Notice kind="error">{error}</Notice>}
        {preview && (
          <div class="notice notice-warn" role="status" data-testid="bulk-preview">
            <p>
              <strong>
                {words.confirm} {count(preview.changed)} {preview.changed === 1 ? 'agent' : 'agents'}
              </strong>{' '}
              of {count(preview.matched)} matched.
            </p>
            {preview.skipped.length > 0 && (
              <ul aria-label="Agents this action leaves alone">
                {preview.skipped.map((s) => (
                  <li key={s.reason}>
                    {count(s.count)} skipped: {s.reason}
                    {s.agentIds.length > 0 && (
                      <span class="muted">
                        {' '}
                        ({s.agentIds.slice(0, 3).join(', ')}
                        {s.count > 3 ? ', …' : ''})
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {!ready && !error && (
          <p class="muted">
            {props.action === 'exempt' ? 'Say why to see how many agents this exempts.' : 'Choose a rollout.'}
          </p>
        )}
        <DialogActions
          danger={words.danger}
          disabled={busy || !preview || preview.changed === 0}
          onCancel={props.onClose}
        >
          {preview
            ? `${words.confirm} ${count(preview.changed)} ${preview.changed === 1 ? 'agent' : 'agents'}`
            : words.confirm}
        </DialogActions>
      </form>
    </Dialog>
  );
}
