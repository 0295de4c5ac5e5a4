import { X509Certificate } from 'node:crypto';
import { PropertiesDocument } from '../../../../libs/properties/index.js';

const normalise = (fingerprint: string) => fingerprint.replace(/:/g, '').toLowerCase();

/**
 * Why a revision cannot move agents to secure, or undefined when it can: it must switch them to wss
 * (`central.websocket.secure=true`) and trust the active certificate's root (docs/design.md §7, phase 3).
 */
export function secureRevisionProblem(
  revision: { agentConf: string; truststore: Array<{ fingerprintSha256?: string; pem?: string }> },
  anchor: X509Certificate,
): string | undefined {
  let secure: string | undefined;
  try {
    secure = PropertiesDocument.parse(revision.agentConf).get('central.websocket.secure');
  } catch (error) {
    return `its agent.conf cannot be read: ${(error as Error).message}`;
  }
  if (secure?.trim().toLowerCase() !== 'true')
    return `its agent.conf has central.websocket.secure=${secure ?? '(unset)'}, not true`;
  const wanted = normalise(anchor.fingerprint256);
  const trusted = revision.truststore.some(
    (entry) =>
      (entry.fingerprintSha256 && normalise(entry.fingerprintSha256) === wanted) ||
      (entry.pem && normalise(new X509Certificate(entry.pem).fingerprint256) === wanted),
  );
  return trusted
    ? undefined
    : `its truststore does not hold the active certificate's trust anchor (${anchor.subject.replace(/\n/g, ', ')}, ${anchor.fingerprint256})`;
}

/** `central.host` values found in agent.conf texts (unreadable ones are skipped: profiles validate them). */
export function centralHostsOf(confs: string[]): string[] {
  const hosts = new Set<string>();
  for (const conf of confs) {
    try {
      const host = PropertiesDocument.parse(conf).get('central.host')?.trim().toLowerCase();
      if (host) hosts.add(host);
    } catch {
      // a broken draft is the profiles domain's concern
    }
  }
  return [...hosts];
}
