import { X509Certificate, createHash } from 'node:crypto';
import { type TrustAnchor } from '../../../../libs/protocol/index.js';
import { type AgentTrustFacts } from '../agents/agent-trust.repository.js';
import { splitPemChain } from './certificate-report.js';

/** One certificate of a served chain, as far as trust is concerned. */
export interface ChainLink {
  /** SHA-256 of the DER certificate: what agents report for their anchors. */
  sha256: string;
  subject: string;
  issuer: string;
  selfSigned: boolean;
}

/** An agent that would not trust a chain, and why, in words for the operator (409, certmgr, drop-in). */
export interface StrandedAgent {
  id: string;
  status: AgentTrustFacts['status'];
  lastSeenAt: string | null;
  reason: string;
}

/** The chain's certificates, leaf first, described for the trust check. */
export function chainLinks(chainPem: string): ChainLink[] {
  return splitPemChain(chainPem).map((pem) => {
    const c = new X509Certificate(pem);
    return {
      sha256: createHash('sha256').update(c.raw).digest('hex'),
      subject: oneLine(c.subject),
      issuer: oneLine(c.issuer),
      selfSigned: c.subject === c.issuer && c.verify(c.publicKey),
    };
  });
}

/** `CN=central ← CN=Example CA`: the chain as the 409 names it. */
export function describeChain(links: readonly ChainLink[]): string {
  const top = links.at(-1);
  const shown = links.map((l) => l.subject);
  if (top && !top.selfSigned) shown.push(`${top.issuer} (not in the chain)`);
  return shown.join(' ← ');
}

/**
 * True when a client trusting `anchors` accepts the chain: one of its certificates is an anchor
 * (same DER, by fingerprint), or the chain ends at a certificate issued by an anchor that is not
 * itself sent (matched by name: agents report subjects, not keys). An anchor with an empty `sha256`
 * stands for "whatever certificate carries this name" (what an agent that did not report is assumed to trust).
 */
export function chainLeadsTo(links: readonly ChainLink[], anchors: readonly TrustAnchor[]): boolean {
  const fingerprints = new Set(anchors.map((a) => a.sha256).filter(Boolean));
  const names = new Set(anchors.map((a) => a.subject));
  const namesOnly = new Set(anchors.filter((a) => a.sha256 === '').map((a) => a.subject));
  if (links.some((l) => fingerprints.has(l.sha256) || namesOnly.has(l.subject))) return true;
  const top = links.at(-1);
  return top !== undefined && !top.selfSigned && names.has(top.issuer);
}

/**
 * What an agent that never reported is assumed to trust: the anchor of the certificate it is using now
 * (the current chain's self-signed top by fingerprint, else the name of the top's issuer). It is
 * treated as trusting nothing else, so a chain with the same anchor passes and a new anchor does not.
 */
export function assumedAnchors(current: readonly ChainLink[]): TrustAnchor[] {
  const top = current.at(-1);
  if (!top) return [];
  return top.selfSigned
    ? [{ sha256: top.sha256, subject: top.subject }]
    : [{ sha256: '', subject: top.issuer }];
}

/**
 * The known agents that would not trust `next` (ADR 24): each with the reason. Reusable by anything that
 * changes the served certificate (import, self-signed, previous, ACME, the staged rotation).
 * `current` is the chain served now (what silent agents are assumed to trust).
 */
export function agentsThatWouldNotTrust(
  next: readonly ChainLink[],
  current: readonly ChainLink[],
  agents: readonly AgentTrustFacts[],
): StrandedAgent[] {
  const assumed = assumedAnchors(current);
  const assumedName = assumed[0] ? assumed[0].subject : 'the current certificate';
  const stranded: StrandedAgent[] = [];
  for (const agent of agents) {
    let reason: string | undefined;
    if (agent.via) {
      if (!chainLeadsTo(next, assumed))
        reason = `connects through ${agent.via}, whose truststore central cannot see; assumed to trust only ${assumedName}`;
    } else if (agent.trustAnchors === null) {
      if (!chainLeadsTo(next, assumed))
        reason = `has not reported its trust anchors (agent ${agent.agentVersion ?? 'version unknown'}); assumed to trust only ${assumedName}`;
    } else if (!chainLeadsTo(next, agent.trustAnchors)) {
      reason =
        agent.trustAnchors.length === 0
          ? 'reported an empty truststore'
          : `trusts only ${listAnchors(agent.trustAnchors)}`;
    }
    if (reason)
      stranded.push({
        id: agent.id,
        status: agent.status,
        lastSeenAt: agent.lastSeenAt ? agent.lastSeenAt.toISOString() : null,
        reason,
      });
  }
  return stranded;
}

function listAnchors(anchors: readonly TrustAnchor[]): string {
  const shown = anchors.slice(0, 3).map((a) => `${oneLine(a.subject)} (sha256 ${a.sha256.slice(0, 16)}…)`);
  if (anchors.length > 3) shown.push(`${anchors.length - 3} more`);
  return shown.join('; ');
}

function oneLine(name: string): string {
  return name.replace(/\n/g, ', ');
}
