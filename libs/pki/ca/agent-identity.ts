import { X509Certificate } from 'node:crypto';

/** The SAN URI that names an agent in its client certificate: `urn:switchyard:agent:<id>`. */
export const AGENT_URI_PREFIX = 'urn:switchyard:agent:';

export function agentUri(agentId: string): string {
  return AGENT_URI_PREFIX + agentId;
}

/**
 * The agent id a client certificate names: the SAN URI, which must agree with the CN when both exist.
 * Undefined when the certificate names no agent (for example a server certificate).
 */
export function agentIdOfCertificate(certificate: string | Buffer | X509Certificate): string | undefined {
  const cert = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  const uris = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((e) => e.startsWith(`URI:${AGENT_URI_PREFIX}`))
    .map((e) => e.slice(`URI:${AGENT_URI_PREFIX}`.length));
  const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
  if (uris.length !== 1) return undefined;
  if (cn !== undefined && cn !== uris[0]) return undefined;
  return uris[0];
}
