import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { type Precondition } from './precondition.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function parseChain(chainPem: string): X509Certificate[] {
  return (chainPem.match(PEM_CERTIFICATE) ?? []).map((pem) => new X509Certificate(pem));
}

/** The certificate agents must trust: the last one of a complete chain (its root). */
export function trustAnchorOf(chainPem: string): X509Certificate | undefined {
  const chain = parseChain(chainPem);
  return chain[chain.length - 1];
}

export function checkValidity(chain: X509Certificate[], now: Date, minDays: number): Precondition {
  const leaf = chain[0]!;
  const from = new Date(leaf.validFrom);
  const until = new Date(leaf.validTo);
  if (from > now) {
    return { id: 'certificate_validity', ok: false, reason: `not valid before ${from.toISOString()}` };
  }
  const daysLeft = Math.floor((until.getTime() - now.getTime()) / 86_400_000);
  return daysLeft >= minDays
    ? {
        id: 'certificate_validity',
        ok: true,
        reason: `valid until ${until.toISOString()} (${daysLeft} days ≥ ${minDays})`,
      }
    : {
        id: 'certificate_validity',
        ok: false,
        reason:
          daysLeft < 0
            ? `expired on ${until.toISOString()}`
            : `valid for ${daysLeft} more days only, ${minDays} needed (renew or import a new one first)`,
      };
}

/** Complete = each certificate is signed by the next and the last one is a self-signed root. */
export function checkChain(chain: X509Certificate[]): Precondition {
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) {
      return {
        id: 'certificate_chain',
        ok: false,
        reason: `certificate ${i + 1} (${oneLine(chain[i]!.subject)}) is not signed by the next one (${oneLine(chain[i + 1]!.subject)})`,
      };
    }
  }
  const last = chain[chain.length - 1]!;
  // Not checkIssued(): a self-signed leaf without keyCertSign usage is still the root of its own chain.
  const selfSigned = last.subject === last.issuer && last.verify(last.publicKey);
  return selfSigned
    ? {
        id: 'certificate_chain',
        ok: true,
        reason: `${chain.length} certificate(s), ending in the root ${oneLine(last.subject)}`,
      }
    : {
        id: 'certificate_chain',
        ok: false,
        reason: `incomplete: the chain ends in ${oneLine(last.subject)}, issued by ${oneLine(last.issuer)}, which is missing (import the intermediate and root certificates too)`,
      };
}

/** Every host name agents dial must be covered by the certificate, or their hostname check fails. */
export function checkNames(leaf: X509Certificate, hosts: string[]): Precondition {
  if (hosts.length === 0) {
    return {
      id: 'certificate_names',
      ok: true,
      reason:
        'no agent host names are known (SWITCHYARD_AGENT_HOSTS, profiles’ central.host): nothing to check',
    };
  }
  const uncovered = hosts.filter((h) =>
    isIP(h) ? leaf.checkIP(h) === undefined : leaf.checkHost(h, { subject: 'never' }) === undefined,
  );
  return uncovered.length === 0
    ? { id: 'certificate_names', ok: true, reason: `covers ${hosts.join(', ')}` }
    : {
        id: 'certificate_names',
        ok: false,
        reason: `does not cover ${uncovered.join(', ')} (names: ${leaf.subjectAltName ?? 'none'})`,
      };
}

function oneLine(dn: string): string {
  return dn.replace(/\n/g, ', ');
}
