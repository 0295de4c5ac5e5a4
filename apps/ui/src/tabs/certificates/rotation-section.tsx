import type { Rotation } from '../../../../../libs/api/rotation.js';
import { OPEN_ROTATION_PHASES } from '../../../../../libs/api/rotation-phases.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { RotationStageDialog } from './rotation-stage-dialog.js';
import { RotationStepper } from './rotation-stepper.js';

/** How often an open rotation's progress is read again (rollouts, reported anchors). */
const POLL_MS = 2000;

/** Where a rotation stands, in words (the phase id stays in data-phase and the API). */
const PHASE_WORDS: Record<string, string> = {
  staged: 'staged: the new certificate is stored, not served yet',
  trust_published: 'the trust of both anchors is being published to the agents',
  activated: 'the new certificate is served; the old anchor is still trusted',
  completed: 'completed',
  aborted: 'aborted',
};

const NEXT_ACTION: Record<string, string> = {
  staged: 'Publish the trust of both anchors',
  trust_published: 'Activate the new certificate',
  activated: 'Complete',
};

/** The staged rotation to a certificate from another CA (ADR 30), with live progress. */
export function RotationSection(props: { canWrite: boolean; onChanged: () => void }) {
  // The list answers 200 even when there was never a rotation (no 404 in the console); the open
  // rotation, if any, is the newest one (one at a time).
  const current = useLoad(async () => {
    const [latest] = await api<Rotation[]>('GET', '/api/certificates/rotations');
    return latest ? api<Rotation>('GET', `/api/certificates/rotations/${latest.id}`) : null;
  });
  const [staging, setStaging] = useState(false);
  const [reason, setReason] = useState('');
  const [cleanup, setCleanup] = useState(true);
  const [refusal, setRefusal] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const r = current.value;
  const open = r ? OPEN_ROTATION_PHASES.includes(r.phase) : false;

  useEffect(() => {
    if (!open) return;
    const timer = setInterval(() => void current.reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [open, current.reload]);

  const act = async (action: 'advance' | 'abort') => {
    if (!r) return;
    setBusy(true);
    setRefusal(undefined);
    try {
      const body = action === 'advance' && r.phase === 'activated' ? { reason, cleanup } : { reason };
      current.setValue(await api<Rotation>('POST', `/api/certificates/rotations/${r.id}/${action}`, body));
      setReason('');
      props.onChanged();
    } catch (e) {
      setRefusal(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="rotation-title" data-testid="rotation-section">
      <h2 id="rotation-title">Rotation to another CA</h2>
      {current.error && <Notice kind="error">{current.error}</Notice>}
      {r ? (
        <>
          {r.automatic && open && (
            <Notice kind={r.automatic.blocked ? 'warn' : 'ok'}>
              {r.automatic.blocked ? (
                <span data-testid="rotation-blocked">
                  <strong>The automatic rotation stopped {utc(r.automatic.blocked.since)}:</strong>{' '}
                  {r.automatic.blocked.reason}
                </span>
              ) : (
                'This rotation advances by itself (an ACME certificate from a new CA): each step is taken as soon as it is safe. You can abort it.'
              )}
            </Notice>
          )}
          <RotationStepper rotation={r} />
          <dl class="facts">
            <dt>Rotation</dt>
            <dd data-testid="rotation-phase" data-phase={r.phase}>
              {PHASE_WORDS[r.phase] ?? r.phase}
              {r.automatic ? ' (automatic, ACME)' : ''}
            </dd>
            <dt>New certificate</dt>
            <dd>
              {r.certificate.subject} <span class="muted">issued by {r.certificate.issuer}</span>
            </dd>
            <dt>New anchor</dt>
            <dd>{r.certificate.anchor.subject}</dd>
            <dt>Old anchor</dt>
            <dd>{r.fromAnchor.subject}</dd>
            {r.gate && (
              <>
                <dt>Agents trusting the new anchor</dt>
                <dd data-testid="rotation-gate">
                  {r.gate.trusting} of {r.gate.total}
                  {r.gate.ok ? ' — the gate is open' : ''}
                </dd>
              </>
            )}
          </dl>
          {r.gate && r.gate.strandedCount > 0 && (
            <ul class="stranded-list" aria-label="Agents that do not trust the new anchor yet">
              {r.gate.stranded.map((a) => (
                <li key={a.id} data-stranded={a.id}>
                  <code>{a.id}</code> ({a.status}): {a.reason}
                </li>
              ))}
              {r.gate.strandedCount > r.gate.stranded.length && (
                <li>… and {r.gate.strandedCount - r.gate.stranded.length} more</li>
              )}
            </ul>
          )}
          {refusal && <Notice kind="error">{refusal}</Notice>}
          {props.canWrite && open && (
            <form
              class="actions"
              onSubmit={(e) => {
                e.preventDefault();
                void act('advance');
              }}
            >
              <input
                name="reason"
                aria-label="Reason (audited)"
                placeholder="Reason (audited)"
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
              {r.phase === 'activated' && (
                <label>
                  <input
                    type="checkbox"
                    checked={cleanup}
                    onChange={(e) => setCleanup(e.currentTarget.checked)}
                  />{' '}
                  publish the clean-up revision
                </label>
              )}
              <button type="submit" disabled={busy || !reason.trim()}>
                {NEXT_ACTION[r.phase]}
              </button>
              <button
                type="button"
                class="ghost"
                disabled={busy || !reason.trim()}
                onClick={() => void act('abort')}
              >
                {r.phase === 'activated' ? 'Go back to the previous certificate' : 'Abort'}
              </button>
            </form>
          )}
          <details>
            <summary>History</summary>
            <ul>
              {r.history.map((h) => (
                <li key={h.at + h.to}>
                  {utc(h.at)} {h.actor}: {h.from ?? '—'} → {h.to} “{h.reason}”
                </li>
              ))}
            </ul>
          </details>
        </>
      ) : (
        current.value === null && <p class="muted">No rotation was ever staged.</p>
      )}
      {props.canWrite && !open && (
        <div class="actions">
          <button type="button" onClick={() => setStaging(true)}>
            Stage a rotation…
          </button>
        </div>
      )}
      {staging && (
        <RotationStageDialog
          onClose={() => setStaging(false)}
          onStaged={(staged) => {
            setStaging(false);
            current.setValue(staged);
          }}
        />
      )}
    </section>
  );
}
