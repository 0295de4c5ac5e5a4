import type { StrandedExemptionResult as BulkExemptResult } from '../../../../../libs/api/migration.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { issuesOf, messageOf } from '../../components/errors.js';
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
        const issues = Object.entries(issuesOf(e));
        setError(issues.length > 0 ? issues.map(([k, m]) => `${k}: ${m}`).join('; ') : messageOf(e));
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
    <Dialog title="Exempt stranded agents" onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <p>
          {n(props.matched)} stranded {props.matched === 1 ? 'agent matches' : 'agents match'} the table's
          filter. Exempt agents are left out of the gate of closing the plain listener until the exemption
          expires.
        </p>
        <label>
          Exemption reason (audited)
          <input required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <label>
          Exempt until
          <input
            type="datetime-local"
            required
            value={expiresAt}
            onInput={(e) => setExpiresAt(e.currentTarget.value)}
          />
        </label>
        {error && <Notice kind="error">{error}</Notice>}
        {preview && (
          <div class="notice notice-warn" role="status" data-testid="exempt-preview">
            Central will exempt <strong>{n(preview.changed)}</strong> agents ({preview.stranded}).
            {preview.skipped.length > 0 &&
              ` Skipped: ${preview.skipped.map((s) => `${n(s.count)} ${s.reason}`).join(', ')}.`}
          </div>
        )}
        <div class="actions">
          <button type="submit" disabled={busy || !hasReason || count === 0}>
            Exempt {n(count)} agents
          </button>
          <button type="button" class="ghost" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
