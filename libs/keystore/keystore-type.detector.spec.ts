import { detectKeystoreType } from './keystore-type.detector.js';

describe('detectKeystoreType', () => {
  it.each([
    ['JKS magic', 'feedfeed00000002', 'jks'],
    ['JCEKS magic (read by the JKS reader)', 'cececece00000002', 'jks'],
    ['PKCS#12 with a 2-byte length', '30820a1c020103', 'pkcs12'],
    ['PKCS#12 with a short length', '3010020103', 'pkcs12'],
    ['PKCS#12 with an indefinite length', '3080020103', 'pkcs12'],
    ['a SEQUENCE with another version', '30820a1c020102', undefined],
    ['a certificate (SEQUENCE of SEQUENCE)', '308201f33082019a', undefined],
    ['PEM text', Buffer.from('-----BEGIN CERTIFICATE-----').toString('hex'), undefined],
    ['nothing', '', undefined],
    ['a lone SEQUENCE tag', '30', undefined],
  ])('%s => %s', (_name, hex, expected) => {
    expect(detectKeystoreType(Buffer.from(hex, 'hex'))).toBe(expected);
  });
});
