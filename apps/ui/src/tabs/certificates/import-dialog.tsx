import type { ServerCertificate } from '../../../../../libs/api/certificates.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { refusalText } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { CertificateFilesFields, useCertificateUpload } from './certificate-files-fields.js';

/**
 * Import in any supported format: the server recognises it from the content, so one dialog takes a
 * PKCS#12 with its password as well as certificate + key + chain files.
 */
export function ImportDialog(props: {
  onClose: () => void;
  onImported: (r: { certificate: ServerCertificate; warnings: string[] }) => void;
}) {
  const upload = useCertificateUpload();
  const [hosts, setHosts] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const form = upload.form();
    if (hosts.trim()) form.append('hosts', hosts.trim());
    try {
      props.onImported(await api('POST', '/api/certificates/server/import', form));
    } catch (err) {
      setError(refusalText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Import a server certificate" onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <p class="muted">
          PKCS#12 (.pfx/.p12) with its password, PKCS#7 (.p7b/.p7c), X.509 (.cer/.crt, PEM or DER), a PEM
          chain, PKCS#8 or traditional RSA/EC keys (encrypted or not). A refused import changes nothing.
        </p>
        {error && <Notice kind="error">{error}</Notice>}
        <CertificateFilesFields upload={upload} />
        <label>
          Host names agents use (optional, comma-separated)
          <input
            name="hosts"
            value={hosts}
            placeholder="central.example.com"
            onInput={(e) => setHosts(e.currentTarget.value)}
          />
        </label>
        <DialogActions disabled={busy || upload.files.length === 0} onCancel={props.onClose}>
          {busy ? 'Checking…' : 'Import'}
        </DialogActions>
      </form>
    </Dialog>
  );
}
