import type { ServerCertificate } from '../../../../../libs/api/certificates.js';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { Notice } from '../../components/notice.js';

const ACCEPT = '.pfx,.p12,.p7b,.p7c,.cer,.crt,.der,.pem,.key,.p8';

/**
 * Import in any supported format: the server recognises it from the content, so one dialog takes a
 * PKCS#12 with its password as well as certificate + key + chain files.
 */
export function ImportDialog(props: {
  onClose: () => void;
  onImported: (r: { certificate: ServerCertificate; warnings: string[] }) => void;
}) {
  const [files, setFiles] = useState<File[]>([]);
  const [password, setPassword] = useState('');
  const [hosts, setHosts] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    if (password) form.append('password', password);
    if (hosts.trim()) form.append('hosts', hosts.trim());
    try {
      props.onImported(await api('POST', '/api/certificates/server/import', form));
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0)
        setError(err.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
      else setError(err instanceof Error ? err.message : String(err));
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
          Host names agents use (optional, comma-separated)
          <input
            name="hosts"
            value={hosts}
            placeholder="central.example.com"
            onInput={(e) => setHosts(e.currentTarget.value)}
          />
        </label>
        <div class="actions">
          <button type="submit" disabled={busy || files.length === 0}>
            {busy ? 'Checking…' : 'Import'}
          </button>
          <button type="button" class="ghost" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
