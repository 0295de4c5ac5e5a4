import type { ServerCertificate } from '../../../../../libs/api/certificates.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { AcmeSection } from './acme-section.js';
import { CertificateCard } from './certificate-card.js';
import { ImportDialog } from './import-dialog.js';
import { RotationSection } from './rotation-section.js';

export function CertificatesTab() {
  const { session } = useApp();
  const canWrite = session.can('certificates.write');
  const cert = useLoad(() => api<ServerCertificate>('GET', '/api/certificates/server'));
  const [importing, setImporting] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error' | 'warn'; text: string } | undefined>();

  const restore = async () => {
    if (
      !window.confirm(
        'Replace the active server certificate with a new self-signed one? Agents that trust only the current CA will refuse it.',
      )
    )
      return;
    try {
      cert.setValue(await api<ServerCertificate>('POST', '/api/certificates/server/self-signed'));
      setMessage({ kind: 'ok', text: 'A new self-signed certificate is active on every node.' });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };

  return (
    <section aria-labelledby="certificates-title">
      <h1 id="certificates-title">Server certificate</h1>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {cert.error && <Notice kind="error">{cert.error}</Notice>}
      {cert.value?.expiryWarning && (
        <Notice kind="warn">
          The server certificate{' '}
          {cert.value.expiryWarning === 'expired' ? 'has expired' : cert.value.expiryWarning}: import or order
          a new one.
        </Notice>
      )}
      <div class="actions">
        {canWrite && (
          <button type="button" onClick={() => setImporting(true)}>
            Import certificate…
          </button>
        )}
        {canWrite && (
          <button type="button" class="ghost" onClick={() => void restore()}>
            Restore self-signed
          </button>
        )}
        <a class="button ghost" href="/api/certificates/server/chain" download="switchyard-server-chain.pem">
          Export chain (PEM)
        </a>
        <a class="button ghost" href="/api/certificates/ca" download="switchyard-local-ca.pem">
          Download local CA
        </a>
      </div>
      {cert.value && <CertificateCard cert={cert.value} />}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={(r) => {
            setImporting(false);
            cert.setValue(r.certificate);
            setMessage({
              kind: r.warnings.length ? 'warn' : 'ok',
              text: `Imported ${r.certificate.subject}; active on every node.${r.warnings.length ? ' ' + r.warnings.join(' ') : ''}`,
            });
          }}
        />
      )}
      <RotationSection canWrite={canWrite} onChanged={() => void cert.reload()} />
      <AcmeSection canWrite={canWrite} onInstalled={() => void cert.reload()} />
    </section>
  );
}
