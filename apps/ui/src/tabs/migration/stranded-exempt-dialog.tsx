import type { StrandedExemptionResult as BulkExemptResult } from '../../../../../libs/api/migration.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { ExemptionFields } from '../../components/exemption-fields.js';
import { messageOf, refusalText } from '../../components/errors.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Notice } from '../../components/notice.js';
import { type StrandedFilter } from './stranded-types.js';

function inAWeek(): string {
  const d = new Date(Date.now() + 7 * 86_400_000);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

const n = (v: number) => v.toLocaleString('en-US');

/**
 * Exempts every stranded agent the table's filter matches, in one step: central counts first (a dry
 * run), the operator confirms that count.
 */
export function StrandedExemptDialog(props: {
  filter: StrandedFilter;
  /** What the table shows for this filter, until central's own count arrives. */
  matched: number;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [expiresAt, setExpiresAt] = useState(inAWeek());
  const [preview, setPreview] = useState<BulkExemptResult | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const body = (dryRun: boolean) => ({
    stranded: props.filter,
    reason: reason.trim(),
    expiresAt: new Date(expiresAt).toISOString(),
    dryRun,
  });
  const hasReason = reason.trim() !== '';

  useEffect(() => {
    if (!hasReason) return setPreview(undefined);
    let current = true;
    api<BulkExemptResult>('POST', '/api/migration/exemptions/bulk', body(true))
      .then((r) => current && (setPreview(r), setError(undefined)))
      .catch((e: unknown) => {
        if (!current) return;
        setError(refusalText(e));
      });
    return () => {
      current = false;
    };
  }, [hasReason, expiresAt]);

  const confirm = async () => {
    setBusy(true);
    try {
      const r = await api<BulkExemptResult>('POST', '/api/migration/exemptions/bulk', body(false));
      props.onDone(`Exempted ${n(r.changed)} agents (${r.stranded}).`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const count = preview?.changed ?? props.matched;
  return (
    <FormDialog title="Exempt stranded agents" onClose={props.onClose} onSubmit={confirm}>
      <p>
        {n(props.matched)} stranded {props.matched === 1 ? 'agent matches' : 'agents match'} the table's
        filter. Exempt agents are left out of the gate of closing the plain listener until the exemption
        expires.
      </p>
      <ExemptionFields {...{ reason, expiresAt }} onReason={setReason} onExpiresAt={setExpiresAt} />
      {error && <Notice kind="error">{error}</Notice>}
      {preview && (
        <div class="notice notice-warn" role="status" data-testid="exempt-preview">
          Central will exempt <strong>{n(preview.changed)}</strong> agents ({preview.stranded}).
          {preview.skipped.length > 0 &&
            ` Skipped: ${preview.skipped.map((s) => `${n(s.count)} ${s.reason}`).join(', ')}.`}
        </div>
      )}
      <DialogActions disabled={busy || !hasReason || count === 0} onCancel={props.onClose}>
        Exempt {n(count)} agents
      </DialogActions>
    </FormDialog>
  );
}
