import type { Rotation } from '../../../../../libs/api/rotation.js';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { Notice } from '../../components/notice.js';

const ACCEPT = '.pfx,.p12,.p7b,.p7c,.cer,.crt,.der,.pem,.key,.p8';

/** Step 1: the same files as an import; stored (key sealed), not served. */
export function RotationStageDialog(props: { onClose: () => void; onStaged: (r: Rotation) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    if (password) form.append('password', password);
    form.append('reason', reason);
    try {
      props.onStaged(await api<Rotation>('POST', '/api/certificates/rotations', form));
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0)
        setError(err.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
      else setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Stage a certificate rotation" onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <p class="muted">
          For a certificate from another CA: it is stored, not served, until every agent trusts its anchor.
          The same files as an import (PKCS#12 with its password, or certificate, key and chain).
        </p>
        {error && <Notice kind="error">{error}</Notice>}
        <label>
          Files
          <input
            type="file"
            name="files"
            multiple
            required
            accept={ACCEPT}
            onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? []))}
          />
        </label>
        <label>
          Password (PKCS#12 or encrypted key)
          <input
            type="password"
            name="password"
            autocomplete="off"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <label>
          Reason (audited)
          <input name="reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <button type="submit" disabled={busy || files.length === 0 || !reason.trim()}>
            {busy ? 'Checking…' : 'Stage'}
          </button>
          <button type="button" class="ghost" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
