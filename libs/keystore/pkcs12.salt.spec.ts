import { createHash } from 'node:crypto';
import { readTruststore, type TrustedCertificate, writePkcs12Truststore } from './index.js';
import { createCaCertificate } from './testing/keystore.js';

const PASSWORD = 'changeit';

// Profile revisions must be byte-identical for the same content, so the PKCS#12 MAC salt can be pinned.
describe('writePkcs12Truststore with a given MAC salt', () => {
  let certs: TrustedCertificate[];
  const salt = createHash('sha256').update('profile content').digest().subarray(0, 20);

  beforeAll(async () => {
    certs = [{ alias: 'central-ca', der: await createCaCertificate('ec', 'Salt CA') }];
  });

  it('writes the same bytes for the same certificates, password and salt', () => {
    const first = writePkcs12Truststore(certs, PASSWORD, { salt });
    const second = writePkcs12Truststore(certs, PASSWORD, { salt: Buffer.from(salt) });
    expect(first.equals(second)).toBe(true);
    expect(first.includes(salt)).toBe(true);
  });

  it('writes a store whose MAC still checks out', () => {
    expect(readTruststore(writePkcs12Truststore(certs, PASSWORD, { salt }), PASSWORD)).toEqual(certs);
  });

  it('writes different bytes for a different salt', () => {
    const other = Buffer.alloc(20, 7);
    expect(
      writePkcs12Truststore(certs, PASSWORD, { salt }).equals(
        writePkcs12Truststore(certs, PASSWORD, { salt: other }),
      ),
    ).toBe(false);
  });
});
