import { acmeOrderRequestSchema } from './acme-requests.js';

const valid = {
  fqdn: 'Central.Example.com',
  directoryUrl: 'https://acme.example/dir',
  contact: 'ops@example.com',
};

describe('acmeOrderRequestSchema', () => {
  it('normalises the FQDN and defaults renewDaysBefore to 30', () => {
    expect(acmeOrderRequestSchema.parse(valid)).toEqual({
      ...valid,
      fqdn: 'central.example.com',
      renewDaysBefore: 30,
      newAnchor: 'rotate',
    });
  });

  it.each([
    ['*.example.com', /wildcard/],
    ['192.0.2.1', /not an IP address/],
    ['bad_name.example', /DNS name/],
    ['-x.example', /DNS name/],
  ])('refuses fqdn %s', (fqdn, message) => {
    const r = acmeOrderRequestSchema.safeParse({ ...valid, fqdn });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(message);
  });

  it('takes newAnchor rotate or hold and names both when it is something else', () => {
    expect(acmeOrderRequestSchema.parse({ ...valid, newAnchor: 'hold' }).newAnchor).toBe('hold');
    const r = acmeOrderRequestSchema.safeParse({ ...valid, newAnchor: 'force' });
    expect(r.error?.issues[0]).toMatchObject({ path: ['newAnchor'] });
    expect(r.error?.issues[0]?.message).toMatch(/"rotate".*"hold"/);
  });

  it('refuses a plain http directory and a CA that is not PEM', () => {
    expect(
      acmeOrderRequestSchema.safeParse({ ...valid, directoryUrl: 'http://acme.example/dir' }).success,
    ).toBe(false);
    expect(acmeOrderRequestSchema.safeParse({ ...valid, directoryCaPem: 'not a certificate' }).success).toBe(
      false,
    );
  });
});
