import type { Exemption } from '../../../../../libs/api/migration.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { issuesOf, messageOf, hasUnplacedIssue } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { described, Field } from '../parameters/field.js';

/** A week from now, as <input type="datetime-local"> wants it (local time, to the minute). */
function inAWeek(): string {
  const d = new Date(Date.now() + 7 * 86_400_000);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** Agents deliberately left on plain until a date: the secure_only gate does not count them. */
export function ExemptionsSection(props: {
  exemptions: Exemption[];
  /** All exemptions: `exemptions` may be only the first of them. */
  total?: number;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const [agentId, setAgentId] = useState('');
  const [reason, setReason] = useState('');
  const [expiresAt, setExpiresAt] = useState(inAWeek());
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();

  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', '/api/migration/exemptions', {
        agentId: agentId.trim(),
        reason,
        expiresAt: new Date(expiresAt).toISOString(),
      });
      setAgentId('');
      setReason('');
      setIssues({});
      setError(undefined);
      props.onChanged();
    } catch (err) {
      setIssues(issuesOf(err));
      setError(messageOf(err));
    }
  };

  const remove = async (id: string) => {
    try {
      await api('DELETE', `/api/migration/exemptions/${encodeURIComponent(id)}`);
      props.onChanged();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section aria-labelledby="exemptions-title">
      <h2 id="exemptions-title">Exemptions</h2>
      {props.total !== undefined && props.total > props.exemptions.length && (
        <p class="muted" data-testid="exemption-count">
          The first {props.exemptions.length} of {props.total.toLocaleString('en-US')} exemptions (each is in
          the audit log).
        </p>
      )}
      <table class="grid" aria-label="Exemptions">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Reason</th>
            <th scope="col">Expires (UTC)</th>
            <th scope="col">By</th>
            {props.canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.exemptions.map((x) => (
            <tr key={x.agentId} data-exemption={x.agentId}>
              <td>
                <code>{x.agentId}</code>
              </td>
              <td>{x.reason}</td>
              <td>
                {utc(x.expiresAt)} {!x.active && <span class="badge badge-expired">expired</span>}
              </td>
              <td>{x.createdBy}</td>
              {props.canWrite && (
                <td>
                  <button
                    type="button"
                    class="ghost"
                    aria-label={`Remove the exemption of ${x.agentId}`}
                    onClick={() => void remove(x.agentId)}
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
          {props.exemptions.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                No exemption.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {error && hasUnplacedIssue(issues, ['agentId', 'reason', 'expiresAt']) && (
        <Notice kind="error">{error}</Notice>
      )}
      {props.canWrite && (
        <form class="conf-form" onSubmit={(e) => void add(e)} aria-label="Add an exemption">
          <Field id="ex-agent" label="Agent id" issue={issues.agentId}>
            <input
              {...described('ex-agent', issues.agentId)}
              required
              value={agentId}
              onInput={(e) => setAgentId(e.currentTarget.value)}
            />
          </Field>
          <Field id="ex-reason" label="Exemption reason" issue={issues.reason}>
            <input
              {...described('ex-reason', issues.reason)}
              required
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
          <Field id="ex-expires" label="Expires" issue={issues.expiresAt}>
            <input
              {...described('ex-expires', issues.expiresAt)}
              type="datetime-local"
              required
              value={expiresAt}
              onInput={(e) => setExpiresAt(e.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit">Add exemption</button>
          </div>
        </form>
      )}
    </section>
  );
}
