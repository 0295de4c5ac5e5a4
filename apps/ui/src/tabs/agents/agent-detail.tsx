import type { Agent, TrustAnchor } from '../../../../../libs/api/agents.js';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { GroupList, parseGroupList, putAdminGroups } from './agent-groups.js';
import { DiagnosticsPanel } from './diagnostics-panel.js';
import { StatusBadge } from './status-badge.js';

/** One agent, kept current by the live socket; revoke its credential or its client certificates. */
export function AgentDetail(props: { id: string }) {
  const { session, live } = useApp();
  const agent = useLoad(() => api<Agent>('GET', `/api/agents/${encodeURIComponent(props.id)}`), [props.id]);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();

  useEffect(
    () =>
      live.subscribe((m) => {
        if (m.type !== 'agents.changed') return;
        const mine = m.agents.find((a) => a.id === props.id);
        // Live rows do not carry the trust anchors: keep the ones loaded.
        if (mine)
          agent.setValue({
            ...mine,
            trustAnchors: mine.trustAnchors ?? agent.value?.trustAnchors ?? null,
            trustReportedAt: mine.trustReportedAt ?? agent.value?.trustReportedAt ?? null,
          });
      }),
    [live, props.id],
  );

  const act = async (confirmText: string, method: string, path: string, done: string) => {
    if (!window.confirm(confirmText)) return;
    try {
      await api(method, path);
      setMessage({ kind: 'ok', text: done });
      await agent.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };

  const a = agent.value;
  return (
    <section aria-labelledby="agent-title">
      <p>
        <a href="#/agents">← All agents</a>
      </p>
      <h1 id="agent-title">Agent {props.id}</h1>
      {agent.error && <Notice kind="error">{agent.error}</Notice>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {a && (
        <div class="card">
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={a.status} />
              {a.revokedAt && <span class="badge badge-failed">revoked {utc(a.revokedAt)}</span>}
            </dd>
            <dt>Transport</dt>
            <dd>{a.transport ?? '—'}</dd>
            <dt>Agent version</dt>
            <dd>{a.agentVersion ?? '—'}</dd>
            <dt>Capabilities</dt>
            <dd>{a.capabilities.length ? a.capabilities.join(', ') : '—'}</dd>
            <dt>Profile it runs (sha256)</dt>
            <dd>
              <code>{a.profileSha256 ?? '—'}</code>
            </dd>
            <dt>Groups</dt>
            <dd>
              <GroupList agent={a} />
              {session.can('agents.write') && (
                <AdminGroupsForm
                  agent={a}
                  onSaved={(saved) => {
                    agent.setValue({
                      ...a,
                      ...saved,
                      trustAnchors: a.trustAnchors,
                      trustReportedAt: a.trustReportedAt,
                    });
                    setMessage({ kind: 'ok', text: 'Admin groups saved.' });
                  }}
                  onError={(text) => setMessage({ kind: 'error', text })}
                />
              )}
            </dd>
            <dt>Node</dt>
            <dd>{a.nodeId ?? '—'}</dd>
            <dt>Remote address</dt>
            <dd>{a.remoteAddress ?? '—'}</dd>
            <dt>Connected</dt>
            <dd>{utc(a.connectedAt)}</dd>
            <dt>Last seen</dt>
            <dd>{a.status === 'online' ? 'now' : utc(a.lastSeenAt)}</dd>
            <dt>Enrolled</dt>
            <dd>{utc(a.enrolledAt)}</dd>
            <dt>Trusts (truststore anchors)</dt>
            <dd>
              <TrustAnchors anchors={a.trustAnchors} reportedAt={a.trustReportedAt} />
            </dd>
          </dl>
          {session.can('agents.write') && !a.revokedAt && (
            <div class="actions">
              <button
                type="button"
                class="danger"
                onClick={() =>
                  void act(
                    `Revoke agent ${a.id}? Its session closes and it needs a new enrollment token to come back.`,
                    'DELETE',
                    `/api/agents/${encodeURIComponent(a.id)}`,
                    'Agent revoked; its session was closed.',
                  )
                }
              >
                Revoke agent
              </button>
              {a.transport === 'secure+mtls' && (
                <button
                  type="button"
                  class="ghost"
                  onClick={() =>
                    void act(
                      `Revoke the client certificates of ${a.id}? Its mutual-TLS session closes.`,
                      'POST',
                      `/api/agents/${encodeURIComponent(a.id)}/revoke-certificate`,
                      'Client certificates revoked.',
                    )
                  }
                >
                  Revoke client certificate
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {a && !a.revokedAt && <DiagnosticsPanel agentIds={[a.id]} />}
    </section>
  );
}

/** The admin groups of one agent, as a comma list; the agent's own groups change only in its agent.conf. */
function AdminGroupsForm(props: {
  agent: Agent;
  onSaved: (agent: Agent) => void;
  onError: (text: string) => void;
}) {
  const [text, setText] = useState((props.agent.adminGroups ?? []).join(', '));
  const save = async () => {
    const parsed = parseGroupList(text);
    if ('error' in parsed) return props.onError(parsed.error);
    try {
      props.onSaved(await putAdminGroups(props.agent.id, parsed.groups));
    } catch (e) {
      props.onError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Admin groups
        <input type="text" value={text} placeholder="none" onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit">Save groups</button>
      {(props.agent.reportedGroups ?? []).length > 0 && (
        <span class="muted"> {props.agent.reportedGroups.join(', ')} from its agent.conf</span>
      )}
    </form>
  );
}

/** What the agent reported it trusts; "unknown" is what server-certificate changes are guarded against. */
function TrustAnchors(props: {
  anchors: TrustAnchor[] | null | undefined;
  reportedAt: string | null | undefined;
}) {
  if (props.anchors === undefined) return <>—</>;
  if (props.anchors === null)
    return (
      <span
        class="badge badge-failed"
        title="certificate changes treat it as trusting only the current anchor"
      >
        unknown (not reported)
      </span>
    );
  if (props.anchors.length === 0) return <>none (empty truststore)</>;
  return (
    <ul class="trust-anchors">
      {props.anchors.map((anchor) => (
        <li key={anchor.sha256}>
          {anchor.subject} <code title="SHA-256 of the DER certificate">{anchor.sha256}</code>
        </li>
      ))}
      {props.reportedAt && <li class="muted">reported {utc(props.reportedAt)}</li>}
    </ul>
  );
}
