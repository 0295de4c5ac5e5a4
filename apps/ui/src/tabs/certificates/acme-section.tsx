import type { AcmeNewAnchor, AcmeOrder, AcmeStatus } from '../../../../../libs/api/acme.js';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';

const NEW_ANCHOR_LABELS: Record<AcmeNewAnchor, string> = {
  rotate: 'rotate it in by itself (automatic rotation)',
  hold: 'hold it for approval',
};

/** A certificate whose chain ends at a CA the agents do not trust yet: the operator's choice (ADR 32). */
function NewAnchorSelect(props: {
  name: string;
  value: AcmeNewAnchor;
  disabled: boolean;
  onChange: (value: AcmeNewAnchor) => void;
}) {
  return (
    <select
      name={props.name}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.currentTarget.value as AcmeNewAnchor)}
    >
      {(Object.keys(NEW_ANCHOR_LABELS) as AcmeNewAnchor[]).map((k) => (
        <option key={k} value={k}>
          {NEW_ANCHOR_LABELS[k]}
        </option>
      ))}
    </select>
  );
}

/** ACME (Let's Encrypt and compatible): order a certificate, follow the order, see the renewal plan. */
export function AcmeSection(props: { canWrite: boolean; onInstalled: () => void }) {
  const status = useLoad(() => api<AcmeStatus>('GET', '/api/certificates/acme'));
  const [form, setForm] = useState({ fqdn: '', directoryUrl: '', contact: '', renewDaysBefore: '30' });
  const [newAnchor, setNewAnchor] = useState<AcmeNewAnchor>('rotate');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const running = status.value?.orders.some((o) => o.status === 'processing');

  // An order runs in the background for seconds: follow it until it ends, then show the new certificate.
  useEffect(() => {
    if (!running) return;
    const t = window.setInterval(() => {
      void status.reload().then(props.onInstalled);
    }, 2000);
    return () => window.clearInterval(t);
  }, [running]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setIssues({});
    setError(undefined);
    try {
      await api<AcmeOrder>('POST', '/api/certificates/acme', {
        ...form,
        renewDaysBefore: Number(form.renewDaysBefore),
        newAnchor,
      });
      await status.reload();
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0)
        setIssues(Object.fromEntries(err.issues.map((i) => [i.field, i.message])));
      else setError(err instanceof Error ? err.message : String(err));
    }
  };

  const approve = async () => {
    if (!window.confirm('Install the held certificate although the agents named here would not trust it?'))
      return;
    setError(undefined);
    try {
      await api('POST', '/api/certificates/acme/renewal/approve');
      await status.reload();
      props.onInstalled();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const changeRenewal = async (value: AcmeNewAnchor) => {
    setError(undefined);
    try {
      status.setValue(await api<AcmeStatus>('PUT', '/api/certificates/acme/renewal', { newAnchor: value }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const input = (
    name: keyof typeof form,
    label: string,
    type: 'text' | 'url' | 'email' | 'number' = 'text',
  ) => (
    <label class={issues[name] ? 'invalid' : undefined}>
      {label}
      <input
        name={`acme-${name}`}
        type={type as 'text'}
        required
        disabled={!props.canWrite}
        aria-invalid={issues[name] ? true : undefined}
        value={form[name]}
        onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
      />
      {issues[name] && (
        <small class="issue" role="alert">
          {issues[name]}
        </small>
      )}
    </label>
  );

  return (
    <section aria-labelledby="acme-title" class="card">
      <h2 id="acme-title">ACME</h2>
      {status.value?.renewal ? (
        <p>
          Renews <strong>{status.value.renewal.fqdn}</strong> from {status.value.renewal.directoryUrl} at{' '}
          {utc(status.value.renewal.renewAt)} ({status.value.renewal.renewDaysBefore} days before expiry).{' '}
          <label>
            A renewal whose CA the agents do not trust yet:{' '}
            <NewAnchorSelect
              name="acme-renewal-newAnchor"
              value={status.value.renewal.newAnchor ?? 'rotate'}
              disabled={!props.canWrite}
              onChange={(v) => void changeRenewal(v)}
            />
          </label>
        </p>
      ) : (
        <p class="muted">The active certificate does not come from ACME.</p>
      )}
      {status.value?.held && (
        <Notice kind="warn">
          <strong>
            A certificate for {status.value.held.fqdn} is held{' '}
            {status.value.held.since ? `since ${utc(status.value.held.since)}` : ''}: it would strand agents.
          </strong>{' '}
          {status.value.held.message} Publish a truststore with its CA to them first (a profile revision), or
          approve it anyway.
          {props.canWrite && (
            <div class="actions">
              <button type="button" class="danger" onClick={() => void approve()}>
                Approve held certificate
              </button>
            </div>
          )}
        </Notice>
      )}
      {status.value?.rotating?.map((r) => (
        <Notice kind="ok" key={r.orderId}>
          The certificate for {r.fqdn} chains to a new anchor and is being rotated in by an automatic rotation
          (see “Rotation to another CA”): {r.message}
        </Notice>
      ))}
      {props.canWrite && (
        <form class="grid-form" onSubmit={submit}>
          {error && <Notice kind="error">{error}</Notice>}
          {input('fqdn', 'Host name (FQDN)')}
          {input('directoryUrl', 'ACME directory URL', 'url')}
          {input('contact', 'Contact email', 'email')}
          {input('renewDaysBefore', 'Renew days before expiry', 'number')}
          <label class={issues.newAnchor ? 'invalid' : undefined}>
            A certificate from a CA the agents do not trust yet
            <NewAnchorSelect
              name="acme-newAnchor"
              value={newAnchor}
              disabled={false}
              onChange={setNewAnchor}
            />
            {issues.newAnchor && (
              <small class="issue" role="alert">
                {issues.newAnchor}
              </small>
            )}
          </label>
          <div class="actions">
            <button type="submit" disabled={running}>
              Order certificate
            </button>
          </div>
          <p class="muted">
            The CA fetches http://FQDN/.well-known/acme-challenge/… on port 80: point it at this admin port.
          </p>
        </form>
      )}
      {status.value && status.value.orders.length > 0 && (
        <div class="table-scroll">
          <table class="grid" aria-label="ACME orders">
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">FQDN</th>
                <th scope="col">Status</th>
                <th scope="col">Progress or error</th>
              </tr>
            </thead>
            <tbody>
              {status.value.orders.map((o) => (
                <tr key={o.id}>
                  <td>{utc(o.createdAt)}</td>
                  <td>{o.fqdn}</td>
                  <td>
                    <span class={`badge badge-${o.status}`}>{o.status}</span>
                  </td>
                  <td>{o.error ?? o.progress}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
