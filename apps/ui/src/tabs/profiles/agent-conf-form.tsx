import type { KnownKey, ProfileView } from '../../../../../libs/api/profiles.js';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { issuesOf, messageOf, hasUnplacedIssue } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { useUnsavedChanges } from '../../components/unsaved.js';
import { described, Field } from '../parameters/field.js';

const inputId = (key: string) => `conf-${key.replace(/\W/g, '-')}`;

/** The known agent.conf keys as a form; only changed keys are sent (set/unset), so the rest of the file stays. */
export function AgentConfForm(props: {
  profile: ProfileView;
  canWrite: boolean;
  onSaved: (p: ProfileView, message: string) => void;
}) {
  const original = Object.fromEntries(props.profile.keys.known.map((k) => [k.key, k.value ?? '']));
  const [values, setValues] = useState<Record<string, string>>(original);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const changed = Object.keys(values).filter((k) => values[k] !== original[k]);
  useUnsavedChanges(`agent.conf of ${props.profile.name}`, changed.length > 0);

  const save = async (e: Event) => {
    e.preventDefault();
    const set: Record<string, string> = {};
    const unset: string[] = [];
    for (const k of changed) {
      if (values[k] === '') unset.push(k);
      else set[k] = values[k]!;
    }
    setBusy(true);
    try {
      const p = await api<ProfileView>('PUT', `/api/profiles/${encodeURIComponent(props.profile.name)}`, {
        draftVersion: props.profile.draftVersion,
        ...(Object.keys(set).length ? { set } : {}),
        ...(unset.length ? { unset } : {}),
      });
      props.onSaved(p, `Saved the draft (version ${p.draftVersion}): ${changed.join(', ')}.`);
    } catch (err) {
      setIssues(issuesOf(err));
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void save(e)} class="settings" aria-label="agent.conf keys">
      <div class="conf-form">
        {props.profile.keys.known.map((k) => (
          <KeyField
            key={k.key}
            def={k}
            value={values[k.key] ?? ''}
            issue={issues[k.key]}
            disabled={!props.canWrite}
            onChange={(v) => setValues({ ...values, [k.key]: v })}
          />
        ))}
      </div>
      {props.profile.keys.unknown.length > 0 && (
        <>
          <h3>Other keys (kept as they are; edit them in the raw view)</h3>
          <dl class="facts" aria-label="Other keys">
            {props.profile.keys.unknown.map((u) => (
              <Fragment key={u.key}>
                <dt>{u.key}</dt>
                <dd>
                  <code>{u.value}</code>
                </dd>
              </Fragment>
            ))}
          </dl>
        </>
      )}
      {error &&
        hasUnplacedIssue(
          issues,
          props.profile.keys.known.map((k) => k.key),
        ) && <Notice kind="error">{error}</Notice>}
      {props.canWrite && (
        <div class="actions">
          <button type="submit" disabled={busy || changed.length === 0}>
            Save draft
          </button>
          <button
            type="button"
            class="ghost"
            disabled={changed.length === 0}
            onClick={() => {
              setValues(original);
              setIssues({});
              setError(undefined);
            }}
          >
            Discard changes
          </button>
        </div>
      )}
    </form>
  );
}

function KeyField(props: {
  def: KnownKey;
  value: string;
  issue: string | undefined;
  disabled: boolean;
  onChange: (v: string) => void;
}) {
  const { def } = props;
  const id = inputId(def.key);
  const hint = `${def.type}${def.default !== null && def.default !== '' ? `, default ${def.default}` : ''}${def.required ? ', required' : ''}`;
  const choices =
    def.type === 'boolean' ? ['true', 'false'] : def.type.includes(' | ') ? def.type.split(' | ') : undefined;
  return (
    <Field id={id} label={def.key} issue={props.issue} hint={hint}>
      {choices ? (
        <select
          {...described(id, props.issue)}
          value={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.currentTarget.value)}
        >
          <option value="">(not set{def.default ? `: ${def.default}` : ''})</option>
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...described(id, props.issue)}
          value={props.value}
          placeholder={def.default ?? ''}
          disabled={props.disabled}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
