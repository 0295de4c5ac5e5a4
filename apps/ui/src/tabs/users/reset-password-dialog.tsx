import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { Notice } from '../../components/notice.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { PasswordField } from './password-field.js';
import { userRefusal } from './user-words.js';

/** An admin sets someone's password; central ends that user's sessions, so the old one stops at once. */
export function ResetPasswordDialog(props: { username: string; onDone: () => void; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [refusal, setRefusal] = useState<ReturnType<typeof userRefusal> | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal(undefined);
    try {
      await api('PUT', `/api/users/${encodeURIComponent(props.username)}/password`, { password });
      props.onDone();
    } catch (err) {
      setRefusal(userRefusal(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Reset the password of ${props.username}`} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <p class="muted">Their open sessions end: they log in again with the new password.</p>
        {refusal && <Notice kind="error">{refusal.message}</Notice>}
        <PasswordField
          id="reset-password"
          label="New password"
          issue={refusal?.fields.password}
          value={password}
          onInput={setPassword}
        />
        <DialogActions disabled={busy} onCancel={props.onClose}>
          Set password
        </DialogActions>
      </form>
    </Dialog>
  );
}
