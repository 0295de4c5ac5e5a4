import { writeJksTruststore, writePkcs12Truststore } from './index.js';
import { detectTruststoreContent } from './truststore-content.detector.js';
import { createCaCertificate, toPem } from './testing/keystore.js';

describe('detectTruststoreContent', () => {
  it('tells JKS, JCEKS, PKCS#12 and PEM apart by content, and nothing else', async () => {
    const der = await createCaCertificate('ec', 'Detector CA');
    const certs = [{ alias: 'ca', der }];
    expect(detectTruststoreContent(writeJksTruststore(certs, 'changeit'))).toBe('jks');
    expect(detectTruststoreContent(writePkcs12Truststore(certs, 'changeit'))).toBe('pkcs12');
    expect(detectTruststoreContent(Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2]))).toBe('jceks');
    expect(detectTruststoreContent(Buffer.from(`\n\n${toPem(der)}`))).toBe('pem');
    expect(detectTruststoreContent(Buffer.from('Bag Attributes\n' + toPem(der)))).toBe('pem');
    expect(detectTruststoreContent(der)).toBeUndefined(); // a bare certificate is no truststore
    expect(detectTruststoreContent(Buffer.alloc(0))).toBeUndefined();
  });
});
