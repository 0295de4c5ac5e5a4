import { randomBytes } from 'node:crypto';
import { resumptionOptions, sessionIdContext, type ResumptionBinding } from './tls-resumption.js';
import { TICKET_KEYS_ROTATION_SECONDS } from './tls-ticket-keys.js';

describe('TLS session resumption options (ADR 53)', () => {
  const binding: ResumptionBinding = {
    chainPem: '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n',
    clientCaPem: undefined,
    clientAuth: 'none',
    minVersion: 'TLSv1.2',
  };

  it('gives every node serving the same thing the same session id context, within OpenSSL’s 32 bytes', () => {
    const context = sessionIdContext(binding);
    expect(context).toMatch(/^[0-9a-f]{32}$/);
    expect(sessionIdContext({ ...binding, chainPem: `\n${binding.chainPem}\n` })).toBe(context);
  });

  it('changes the context with the chain, the client CA, the client-auth rule and the TLS floor', () => {
    const contexts = [
      binding,
      { ...binding, chainPem: binding.chainPem.replace('AAA', 'BBB') },
      { ...binding, clientCaPem: 'ca' },
      { ...binding, clientAuth: 'optional' as const },
      { ...binding, clientAuth: 'required' as const },
      { ...binding, minVersion: 'TLSv1.3' as const },
    ].map(sessionIdContext);
    expect(new Set(contexts).size).toBe(contexts.length);
  });

  it('passes the keys and a ticket lifetime as long as the keys, and leaves Node its own keys without them', () => {
    const keys = randomBytes(48);
    expect(resumptionOptions(keys, binding)).toEqual({
      ticketKeys: keys,
      sessionIdContext: sessionIdContext(binding),
      sessionTimeout: TICKET_KEYS_ROTATION_SECONDS,
    });
    expect(resumptionOptions(undefined, binding)).not.toHaveProperty('ticketKeys');
  });
});
