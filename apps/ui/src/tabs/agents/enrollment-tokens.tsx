import type { EnrollmentToken, NewEnrollmentToken } from '../../../../../libs/api/agents.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { refusalText } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';

/** Tokens for agents' first contact. A new token is shown once: only its hash is kept. */
export function EnrollmentTokens(props: { canWrite: boolean }) {
  const tokens = useLoad(() => api<EnrollmentToken[]>('GET', '/api/agents/enrollment-tokens'));
  const [form, setForm] = useState({
    description: '',
    expiresInMinutes: '1440',
    maxUses: '',
    agentIdPrefix: '',
    group: '',
  });
  const [created, setCreated] = useState<NewEnrollmentToken | undefined>();
  const [error, setError] = useState<string | undefined>();

  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      setCreated(
        await api<NewEnrollmentToken>('POST', '/api/agents/enrollment-tokens', {
          description: form.description,
          expiresInMinutes: Number(form.expiresInMinutes),
          maxUses: form.maxUses ? Number(form.maxUses) : null,
          ...(form.agentIdPrefix ? { agentIdPrefix: form.agentIdPrefix } : {}),
          ...(form.group ? { group: form.group } : {}),
        }),
      );
      await tokens.reload();
    } catch (err) {
      setError(refusalText(err));
    }
  };

  const revoke = async (id: string) => {
    if (
      !window.confirm('Revoke this enrollment token? Agents that have not used it yet cannot enroll with it.')
    )
      return;
    try {
      await api('DELETE', `/api/agents/enrollment-tokens/${id}`);
      await tokens.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const now = Date.now();
  return (
    <section aria-labelledby="tokens-title" class="card">
      <h2 id="tokens-title">Enrollment tokens</h2>
      {error && <Notice kind="error">{error}</Notice>}
      {created && (
        <div class="notice notice-ok" role="status">
          <p>
            New token (shown once, copy it now):{' '}
            <code class="secret" data-testid="new-token">
              {created.token}
            </code>{' '}
            <button
              type="button"
              class="ghost"
              onClick={() => void navigator.clipboard?.writeText(created.token)}
            >
              Copy
            </button>
          </p>
          <p class="muted">
            On the branch machine, in the unpacked agent package (npm run package:agent; docs/agent.md):
            bin/switchyard-agent --home /var/lib/switchyard-agent --token {created.token}
          </p>
        </div>
      )}
      {props.canWrite && (
        <form class="inline-form" onSubmit={create}>
          <label>
            Description
            <input
              value={form.description}
              maxLength={200}
              onInput={(e) => setForm({ ...form, description: e.currentTarget.value })}
            />
          </label>
          <label>
            Valid for (minutes)
            <input
              type="number"
              min={1}
              value={form.expiresInMinutes}
              onInput={(e) => setForm({ ...form, expiresInMinutes: e.currentTarget.value })}
            />
          </label>
          <label>
            Max uses (empty: unlimited)
            <input
              type="number"
              min={1}
              value={form.maxUses}
              onInput={(e) => setForm({ ...form, maxUses: e.currentTarget.value })}
            />
          </label>
          <label>
            Agent id prefix (optional)
            <input
              value={form.agentIdPrefix}
              maxLength={64}
              placeholder="e.g. shop-"
              onInput={(e) => setForm({ ...form, agentIdPrefix: e.currentTarget.value })}
            />
          </label>
          <label>
            Group (optional)
            <input
              value={form.group}
              maxLength={64}
              onInput={(e) => setForm({ ...form, group: e.currentTarget.value })}
            />
          </label>
          <button type="submit">Create token</button>
        </form>
      )}
      <table class="grid" aria-label="Enrollment tokens">
        <thead>
          <tr>
            <th scope="col">Description</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Uses</th>
            <th scope="col">Limits</th>
            <th scope="col">State</th>
            {props.canWrite && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {(tokens.value ?? []).map((t) => {
            const state = t.revokedAt ? 'revoked' : Date.parse(t.expiresAt) < now ? 'expired' : 'active';
            return (
              <tr key={t.id}>
                <td>{t.description || <span class="muted">(none)</span>}</td>
                <td>
                  {utc(t.createdAt)} by {t.createdBy}
                </td>
                <td>{utc(t.expiresAt)}</td>
                <td>
                  {t.uses}
                  {t.maxUses !== null ? ` / ${t.maxUses}` : ''}
                </td>
                <td>{limitsOf(t) || <span class="muted">any new id</span>}</td>
                <td>
                  <span class={`badge badge-${state}`}>{state}</span>
                </td>
                {props.canWrite && (
                  <td>
                    {state === 'active' && (
                      <button type="button" class="ghost" onClick={() => void revoke(t.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** What a token may enroll, in words: one agent (re-enroll), ids with a prefix, and the group it sets. */
function limitsOf(t: EnrollmentToken): string {
  return [
    t.agentId ? `re-enrolls ${t.agentId} only` : '',
    t.agentIdPrefix ? `ids starting with ${t.agentIdPrefix}` : '',
    t.group ? `joins group ${t.group}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
