import { offerReason } from './certificate-offer.policy.js';

const now = new Date('2026-12-07T00:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe('offerReason', () => {
  it('offers a first certificate to an agent never issued one', () => {
    expect(offerReason({ agentId: 'a', newest: undefined }, now)).toBe('first-certificate');
  });

  it('offers a renewal in the last 30 days, and after expiry, but not before', () => {
    expect(
      offerReason({ agentId: 'a', newest: { notAfter: days(31), revoked: false } }, now),
    ).toBeUndefined();
    expect(offerReason({ agentId: 'a', newest: { notAfter: days(30), revoked: false } }, now)).toBe(
      'renewal',
    );
    expect(offerReason({ agentId: 'a', newest: { notAfter: days(2), revoked: false } }, now)).toBe('renewal');
    expect(offerReason({ agentId: 'a', newest: { notAfter: days(-1), revoked: false } }, now)).toBe(
      'renewal',
    );
  });

  it('never offers after a revocation (that needs an enrollment token)', () => {
    expect(offerReason({ agentId: 'a', newest: { notAfter: days(2), revoked: true } }, now)).toBeUndefined();
    expect(
      offerReason({ agentId: 'a', newest: { notAfter: days(200), revoked: true } }, now),
    ).toBeUndefined();
  });
});
