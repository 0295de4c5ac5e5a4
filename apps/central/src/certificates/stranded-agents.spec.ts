import { X509Certificate, createHash } from 'node:crypto';
import {
  createTestCa,
  issueServerCertificate,
  type TestCa,
} from '../../../agent/src/testing/test-certificates.js';
import { type AgentTrustFacts } from '../agents/agent-trust.repository.js';
import { agentsThatWouldNotTrust, chainLeadsTo, chainLinks, describeChain } from './stranded-agents.js';

const anchorOf = (pem: string) => {
  const c = new X509Certificate(pem);
  return { sha256: createHash('sha256').update(c.raw).digest('hex'), subject: c.subject };
};

const agent = (id: string, facts: Partial<AgentTrustFacts> = {}): AgentTrustFacts => ({
  id,
  status: 'online',
  transport: 'secure',
  via: null,
  agentVersion: '0.2.0',
  lastSeenAt: new Date('2026-12-01T00:00:00Z'),
  trustAnchors: null,
  reportedAt: null,
  ...facts,
});

describe('which known agents would not trust a chain, and why', () => {
  let oldCa: TestCa;
  let newCa: TestCa;
  let oldChain: string;
  let newChainWithRoot: string;
  let newLeafOnly: string;
  let sameCaRenewal: string;

  beforeAll(async () => {
    oldCa = await createTestCa('Old Root');
    newCa = await createTestCa('New Root');
    oldChain = (await issueServerCertificate(oldCa, ['central.example'])).cert;
    const fresh = await issueServerCertificate(newCa, ['central.example']);
    newChainWithRoot = fresh.cert + newCa.pem;
    newLeafOnly = fresh.cert;
    sameCaRenewal = (await issueServerCertificate(oldCa, ['central.example'])).cert;
  });

  it('a chain leads to an anchor it contains (by DER fingerprint) or to the named issuer of its top', () => {
    expect(chainLeadsTo(chainLinks(newChainWithRoot), [anchorOf(newCa.pem)])).toBe(true);
    expect(chainLeadsTo(chainLinks(newLeafOnly), [anchorOf(newCa.pem)])).toBe(true);
    expect(chainLeadsTo(chainLinks(newLeafOnly), [anchorOf(oldCa.pem)])).toBe(false);
    expect(chainLeadsTo(chainLinks(newChainWithRoot), [anchorOf(oldCa.pem)])).toBe(false);
    expect(describeChain(chainLinks(newLeafOnly))).toBe(
      'CN=central.example ← CN=New Root (not in the chain)',
    );
  });

  it('names each agent that would be stranded with its reason; agents that trust the new anchor pass', () => {
    const stranded = agentsThatWouldNotTrust(chainLinks(newChainWithRoot), chainLinks(oldChain), [
      agent('old-only', { trustAnchors: [anchorOf(oldCa.pem)] }),
      agent('both', { trustAnchors: [anchorOf(oldCa.pem), anchorOf(newCa.pem)] }),
      agent('silent', { trustAnchors: null, agentVersion: '0.1.0' }),
      agent('behind-connector', { via: 'connector/shop-7' }),
      agent('empty', { trustAnchors: [] }),
    ]);
    expect(stranded.map((s) => [s.id, s.reason])).toEqual([
      ['old-only', expect.stringMatching(/^trusts only CN=Old Root \(sha256 [0-9a-f]{16}…\)$/)],
      ['silent', 'has not reported its trust anchors (agent 0.1.0); assumed to trust only CN=Old Root'],
      [
        'behind-connector',
        'connects through connector/shop-7, whose truststore central cannot see; assumed to trust only CN=Old Root',
      ],
      ['empty', 'reported an empty truststore'],
    ]);
  });

  it('a renewal from the same CA strands nobody, not even agents that never reported', () => {
    const stranded = agentsThatWouldNotTrust(chainLinks(sameCaRenewal), chainLinks(oldChain), [
      agent('old-only', { trustAnchors: [anchorOf(oldCa.pem)] }),
      agent('silent'),
    ]);
    expect(stranded).toEqual([]);
  });

  it('a silent agent on a self-signed certificate is stranded by any other certificate', () => {
    const stranded = agentsThatWouldNotTrust(chainLinks(newLeafOnly), chainLinks(oldCa.pem), [
      agent('silent'),
    ]);
    expect(stranded).toHaveLength(1);
    expect(stranded[0]!.reason).toMatch(/assumed to trust only CN=Old Root$/);
    expect(agentsThatWouldNotTrust(chainLinks(oldCa.pem), chainLinks(oldCa.pem), [agent('silent')])).toEqual(
      [],
    );
  });
});
