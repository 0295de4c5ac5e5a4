import type { Rotation } from '../../../../../libs/api/rotation.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { refusalText } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { CertificateFilesFields, useCertificateUpload } from './certificate-files-fields.js';

/** Step 1: the same files as an import; stored (key sealed), not served. */
export function RotationStageDialog(props: { onClose: () => void; onStaged: (r: Rotation) => void }) {
  const upload = useCertificateUpload();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const form = upload.form();
    form.append('reason', reason);
    try {
      props.onStaged(await api<Rotation>('POST', '/api/certificates/rotations', form));
    } catch (err) {
      setError(refusalText(err));
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
        <CertificateFilesFields upload={upload} />
        <label>
          Reason (audited)
          <input name="reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <DialogActions
          disabled={busy || upload.files.length === 0 || !reason.trim()}
          onCancel={props.onClose}
        >
          {busy ? 'Checking…' : 'Stage'}
        </DialogActions>
      </form>
    </Dialog>
  );
}
