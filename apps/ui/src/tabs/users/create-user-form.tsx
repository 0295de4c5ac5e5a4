import type { Role, UserSummary } from '../../../../../libs/api/users.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Notice } from '../../components/notice.js';
import { described, Field } from '../parameters/field.js';
import { PasswordField } from './password-field.js';
import { ROLE_WORDS, userRefusal } from './user-words.js';

const EMPTY = { username: '', role: 'viewer' as Role, password: '' };

/** A new user with a first password, to be handed over out of band (the user changes it after login). */
export function CreateUserForm(props: { onCreated: (u: UserSummary) => void }) {
  const [form, setForm] = useState(EMPTY);
  const [refusal, setRefusal] = useState<ReturnType<typeof userRefusal> | undefined>();
  const [busy, setBusy] = useState(false);
  const fields = refusal?.fields ?? {};

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal(undefined);
    try {
      const created = await api<UserSummary>('POST', '/api/users', form);
      setForm(EMPTY);
      props.onCreated(created);
    } catch (err) {
      setRefusal(userRefusal(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="new-user-title" onSubmit={submit}>
      <h2 id="new-user-title">New user</h2>
      {refusal && <Notice kind="error">{refusal.message}</Notice>}
      <Field id="new-username" label="User name" issue={fields.username} hint="Letters, digits and . _ @ -">
        <input
          {...described('new-username', fields.username)}
          autocomplete="off"
          required
          value={form.username}
          onInput={(e) => setForm({ ...form, username: e.currentTarget.value })}
        />
      </Field>
      <Field id="new-role" label="Role" issue={fields.role} hint={ROLE_WORDS[form.role]}>
        <select
          {...described('new-role', fields.role)}
          value={form.role}
          onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}
        >
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
      </Field>
      <PasswordField
        id="new-password"
        label="First password"
        issue={fields.password}
        value={form.password}
        onInput={(password) => setForm({ ...form, password })}
      />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}
