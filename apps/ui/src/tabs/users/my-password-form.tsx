import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Notice } from '../../components/notice.js';
import { PasswordField } from './password-field.js';
import { userRefusal } from './user-words.js';

const EMPTY = { currentPassword: '', newPassword: '' };

/** Everyone changes their own password with the current one; their other sessions end. */
export function MyPasswordForm(props: { onChanged: () => void }) {
  const [form, setForm] = useState(EMPTY);
  const [refusal, setRefusal] = useState<ReturnType<typeof userRefusal> | undefined>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const fields = refusal?.fields ?? {};

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal(undefined);
    setDone(false);
    try {
      await api('POST', '/api/auth/password', form);
      setForm(EMPTY);
      setDone(true);
      props.onChanged();
    } catch (err) {
      setRefusal(userRefusal(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="my-password-title" onSubmit={submit}>
      <h2 id="my-password-title">Change my password</h2>
      {done && <Notice kind="ok">Password changed. Your other sessions have ended.</Notice>}
      {refusal && <Notice kind="error">{refusal.message}</Notice>}
      <PasswordField
        id="current-password"
        label="Current password"
        issue={fields.currentPassword}
        current
        value={form.currentPassword}
        onInput={(currentPassword) => setForm({ ...form, currentPassword })}
      />
      <PasswordField
        id="my-new-password"
        label="New password"
        issue={fields.newPassword}
        value={form.newPassword}
        onInput={(newPassword) => setForm({ ...form, newPassword })}
      />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Change password
        </button>
      </div>
    </form>
  );
}
