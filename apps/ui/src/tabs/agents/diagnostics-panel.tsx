import type {
  DiagnosticBundle,
  DiagnosticsRequestAnswer as RequestAnswer,
} from '../../../../../libs/api/diagnostics.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';

/** While a bundle is on its way the list is read again this often. */
const POLL_MS = 2000;
const BADGE: Record<DiagnosticBundle['state'], string> = {
  requested: 'badge badge-pending',
  received: 'badge badge-success',
  failed: 'badge badge-failed',
};

/**
 * "Collect diagnostics" for one agent or a selection, and the bundles asked so far with their state and
 * a download link. Shown to those who may ask (operators, admins): the bundles hold logs and settings.
 */
export function DiagnosticsPanel(props: { agentIds: string[] }) {
  const { session } = useApp();
  const allowed = session.can('agents.write');
  const one = props.agentIds.length === 1 ? props.agentIds[0] : undefined;
  const key = props.agentIds.join(',');
  const bundles = useLoad(
    () =>
      // A viewer is not shown the panel: no call that would answer 403.
      allowed
        ? api<DiagnosticBundle[]>(
            'GET',
            `/api/diagnostics?limit=50${one ? `&agentId=${encodeURIComponent(one)}` : ''}`,
          )
        : Promise.resolve([]),
    [one, allowed],
  );
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error' | 'warn'; text: string } | undefined>();
  const waiting = (bundles.value ?? []).some((b) => b.state === 'requested');

  useEffect(() => {
    if (!waiting) return;
    const timer = window.setTimeout(() => void bundles.reload(), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [waiting, bundles.value]);

  if (!allowed) return null;

  const collect = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await api<RequestAnswer>('POST', '/api/diagnostics', { agentIds: props.agentIds });
      const refused = answer.refused.map((r) => `${r.agentId}: ${r.reason}`);
      const asked = `Asked ${answer.requested.length} of ${props.agentIds.length} for a bundle.`;
      setMessage(
        refused.length === 0
          ? { kind: 'ok', text: asked }
          : {
              kind: answer.requested.length ? 'warn' : 'error',
              text: `${asked} ${refused.slice(0, 5).join('; ')}`,
            },
      );
      await bundles.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };

  const ids = new Set(props.agentIds);
  const rows = (bundles.value ?? []).filter((b) => ids.has(b.agentId));
  return (
    <div class="card diagnostics" aria-label="Diagnostics">
      <div class="actions">
        <button type="button" disabled={busy || key === ''} onClick={() => void collect()}>
          Collect diagnostics{one ? '' : ` (${props.agentIds.length} agents)`}
        </button>
        <span class="muted"> log tail, status, agent.conf without secrets, truststore fingerprints</span>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {bundles.error && <Notice kind="error">{bundles.error}</Notice>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Requested</th>
              {!one && <th>Agent</th>}
              <th>State</th>
              <th>Size</th>
              <th>Bundle</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.id}>
                <td>
                  {utc(b.requestedAt)} <span class="muted">by {b.requestedBy}</span>
                </td>
                {!one && <td>{b.agentId}</td>}
                <td>
                  <span class={BADGE[b.state]}>{b.state}</span>
                  {b.reason && <span class="muted"> {b.reason}</span>}
                </td>
                <td>{b.sizeBytes === null ? '—' : `${Math.ceil(b.sizeBytes / 1024)} KiB`}</td>
                <td>
                  {b.state === 'received' ? (
                    <a href={`/api/diagnostics/${b.id}/download`} download>
                      Download
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
