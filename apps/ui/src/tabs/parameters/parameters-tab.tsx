import type { NodeListeners } from '../../../../../libs/api/listeners.js';
import type {
  SettingsVersion,
  StrandedByListenerChange as StrandedAgent,
} from '../../../../../libs/api/settings.js';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isRefusal } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useUnsavedChanges } from '../../components/unsaved.js';
import { useApp } from '../../live-context.js';
import { described, Field } from './field.js';
import { ListenerFailures, ListenersTable } from './listeners-table.js';
import { patchOf, toDraft, type SettingsDraft } from './settings-form.js';
import { StrandedAgents } from './stranded-agents.js';

type Outcome =
  | { kind: 'saved'; version: number }
  | { kind: 'error'; message: string }
  | { kind: 'strand'; message: string; agents: StrandedAgent[] };

export function ParametersTab() {
  const { session } = useApp();
  const canWrite = session.can('settings.write');
  const settings = useLoad(() => api<SettingsVersion>('GET', '/api/settings/websocket'));
  const listeners = useLoad(() => api<NodeListeners[]>('GET', '/api/listeners'));
  const [draft, setDraft] = useState<SettingsDraft | undefined>();
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (settings.value) setDraft(toDraft(settings.value.value));
  }, [settings.value]);
  useUnsavedChanges(
    'Parameters',
    !!settings.value && !!draft && Object.keys(patchOf(settings.value.value, draft)).length > 0,
  );

  if (settings.error) return <Notice kind="error">{settings.error}</Notice>;
  if (!settings.value || !draft) return <p class="loading">Loading…</p>;
  const stored = settings.value;
  const patch = patchOf(stored.value, draft);
  const dirty = Object.keys(patch).length > 0;

  const set = <K extends 'plain' | 'secure'>(kind: K, field: keyof SettingsDraft[K], value: unknown) => {
    setDraft({ ...draft, [kind]: { ...draft[kind], [field]: value } });
    setIssues((i) => {
      const { [`${kind}.${String(field)}`]: _gone, ...rest } = i;
      return rest;
    });
  };

  const save = async (force: boolean) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const saved = await api<SettingsVersion>(
        'PUT',
        '/api/settings/websocket',
        force ? { ...patch, force } : patch,
      );
      setIssues({});
      settings.setValue(saved);
      setOutcome({ kind: 'saved', version: saved.version });
      await listeners.reload();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        setIssues(Object.fromEntries(e.issues.map((i) => [i.field, i.message])));
        setOutcome({ kind: 'error', message: 'Nothing was applied: correct the fields marked below.' });
      } else if (isRefusal(e, 'settings_would_strand_agents')) {
        setOutcome({ kind: 'strand', message: e.message, agents: (e.body.agents as StrandedAgent[]) ?? [] });
      } else {
        setOutcome({ kind: 'error', message: messageOf(e) });
      }
    } finally {
      setBusy(false);
    }
  };

  const issue = (f: string) => issues[f];
  const portInput = (kind: 'plain' | 'secure') => (
    <input
      {...described(`${kind}-port`, issue(`${kind}.port`))}
      inputMode="numeric"
      disabled={!canWrite}
      value={draft[kind].port}
      onInput={(e) => set(kind, 'port', e.currentTarget.value)}
    />
  );
  const bindInput = (kind: 'plain' | 'secure') => (
    <input
      {...described(`${kind}-bind`, issue(`${kind}.bindAddress`))}
      disabled={!canWrite}
      value={draft[kind].bindAddress}
      onInput={(e) => set(kind, 'bindAddress', e.currentTarget.value)}
    />
  );

  return (
    <section aria-labelledby="parameters-title">
      <h1 id="parameters-title">WebSocket Server Settings</h1>
      <p class="muted">
        Version {stored.version}, changed {utc(stored.createdAt)} by {stored.createdBy}. Changes apply live on
        every node.
      </p>
      <ListenerFailures nodes={listeners.value} />
      {outcome?.kind === 'saved' && <Notice kind="ok">Saved and applied (version {outcome.version}).</Notice>}
      {outcome?.kind === 'error' && <Notice kind="error">{outcome.message}</Notice>}
      {outcome?.kind === 'strand' && (
        <StrandedAgents
          message={outcome.message}
          agents={outcome.agents}
          busy={busy}
          onForce={() => void save(true)}
          onCancel={() => {
            setOutcome(undefined);
            setDraft(toDraft(stored.value));
          }}
        />
      )}
      {issue('body') && <Notice kind="error">{issue('body')}</Notice>}
      <form
        class="settings"
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <fieldset>
          <legend>Plain listener (ws://)</legend>
          <Field id="plain-enabled" label="Enabled on all interfaces" issue={issue('plain.enabled')}>
            <input
              type="checkbox"
              {...described('plain-enabled', issue('plain.enabled'))}
              disabled={!canWrite}
              checked={draft.plain.enabled}
              onChange={(e) => set('plain', 'enabled', e.currentTarget.checked)}
            />
          </Field>
          <Field id="plain-port" label="Port" issue={issue('plain.port')} hint="1–65535">
            {portInput('plain')}
          </Field>
          <Field
            id="plain-bind"
            label="Bind address"
            issue={issue('plain.bindAddress')}
            hint="0.0.0.0 for all"
          >
            {bindInput('plain')}
          </Field>
          <Field
            id="plain-fallback"
            label="Localhost fallback when disabled"
            issue={issue('plain.localhostFallback')}
            hint="keeps the local agent on 127.0.0.1"
          >
            <input
              type="checkbox"
              {...described('plain-fallback', issue('plain.localhostFallback'))}
              disabled={!canWrite}
              checked={draft.plain.localhostFallback}
              onChange={(e) => set('plain', 'localhostFallback', e.currentTarget.checked)}
            />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Secure listener (wss://)</legend>
          <Field
            id="secure-enabled"
            label="Enabled"
            issue={issue('secure.enabled')}
            hint="needs a valid server certificate"
          >
            <input
              type="checkbox"
              {...described('secure-enabled', issue('secure.enabled'))}
              disabled={!canWrite}
              checked={draft.secure.enabled}
              onChange={(e) => set('secure', 'enabled', e.currentTarget.checked)}
            />
          </Field>
          <Field
            id="secure-port"
            label="Port"
            issue={issue('secure.port')}
            hint="1–65535, not the plain port"
          >
            {portInput('secure')}
          </Field>
          <Field
            id="secure-bind"
            label="Bind address"
            issue={issue('secure.bindAddress')}
            hint="0.0.0.0 for all"
          >
            {bindInput('secure')}
          </Field>
          <Field
            id="secure-client-auth"
            label="Client certificates (mutual TLS)"
            issue={issue('secure.clientAuth')}
          >
            <select
              {...described('secure-client-auth', issue('secure.clientAuth'))}
              disabled={!canWrite}
              value={draft.secure.clientAuth}
              onChange={(e) => set('secure', 'clientAuth', e.currentTarget.value)}
            >
              <option value="none">none</option>
              <option value="optional">optional</option>
              <option value="required">required</option>
            </select>
          </Field>
          <Field id="secure-min-tls" label="Minimum TLS version" issue={issue('secure.minTlsVersion')}>
            <select
              {...described('secure-min-tls', issue('secure.minTlsVersion'))}
              disabled={!canWrite}
              value={draft.secure.minTlsVersion}
              onChange={(e) => set('secure', 'minTlsVersion', e.currentTarget.value)}
            >
              <option value="TLSv1.2">TLS 1.2</option>
              <option value="TLSv1.3">TLS 1.3</option>
            </select>
          </Field>
        </fieldset>
        {canWrite && (
          <div class="actions">
            <button type="submit" disabled={!dirty || busy}>
              {busy ? 'Applying…' : 'Save and apply'}
            </button>
            <button
              type="button"
              class="ghost"
              disabled={!dirty || busy}
              onClick={() => {
                setDraft(toDraft(stored.value));
                setIssues({});
                setOutcome(undefined);
              }}
            >
              Discard changes
            </button>
          </div>
        )}
      </form>
      <h2>Bound now</h2>
      <ListenersTable nodes={listeners.value} />
    </section>
  );
}
