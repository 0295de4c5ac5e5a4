import type { ServerCertificate } from '../../../../../libs/api/certificates.js';
import { Fragment } from 'preact';
import { utc } from '../../components/format.js';

/** The active server certificate: what agents see at the handshake, and how long it has left. */
export function CertificateCard(props: { cert: ServerCertificate }) {
  const c = props.cert;
  const level = c.daysLeft < 0 ? 'expired' : c.daysLeft < 7 ? 'critical' : c.daysLeft < 30 ? 'warn' : 'ok';
  const rows: Array<[string, string]> = [
    ['Subject', c.subject],
    ['Issuer', c.issuer],
    ['Names (SAN)', c.subjectAltNames.join(', ') || '(none)'],
    ['Valid from', utc(c.notBefore)],
    ['Valid until', utc(c.notAfter)],
    ['Key', c.keyType],
    ['Serial number', c.serialNumber],
    ['SHA-256 fingerprint', c.fingerprintSha256],
    ['Source', `${c.source}${c.selfSigned ? ' (self-signed)' : ''}`],
    ['Installed', utc(c.installedAt)],
    ['Chain', c.chain.join('  →  ')],
  ];
  return (
    <div class="card">
      <p class={`days days-${level}`} data-testid="days-left">
        <strong>{c.daysLeft < 0 ? 'Expired' : `${c.daysLeft} days left`}</strong>
        {c.expiryWarning && <span class="badge badge-warn">{c.expiryWarning}</span>}
      </p>
      <dl class="facts">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
