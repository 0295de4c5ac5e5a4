import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore, writePkcs12Truststore } from '../../../libs/keystore/index.js';
import { createTestCa, type TestCa } from './testing/test-certificates.js';
import { loadTrustedCaPems, readTrustedCas, TrustError } from './trust.js';

describe('truststores read by content, like Java', () => {
  let ca: TestCa;
  let dir: string;
  const home = { resolve: (p: string) => join(dir, p) };
  const pem = () => new X509Certificate(ca.der).toString();
  const certs = () => [{ alias: 'central', der: ca.der }];
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(TrustError);
      return (error as Error).message;
    }
    throw new Error('no TrustError');
  };

  beforeAll(async () => {
    ca = await createTestCa('Trust Spec CA');
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'trust-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads PKCS#12 in a file declared JKS (what keytool on JDK 9+ writes) and says so', () => {
    const bytes = writePkcs12Truststore(certs(), 'changeit');
    expect(readTrustedCas(bytes, { password: 'changeit', type: 'jks' }, 'truststore.jks')).toEqual({
      caPems: [pem()],
      declaredTypeDiffers: { declared: 'JKS', actual: 'PKCS12' },
    });
  });

  it('reads JKS in a file declared PKCS12, and a matching declaration without a note', () => {
    const jks = writeJksTruststore(certs(), 'changeit');
    expect(
      readTrustedCas(jks, { password: 'changeit', type: 'pkcs12' }, 'x.p12').declaredTypeDiffers,
    ).toEqual({
      declared: 'PKCS12',
      actual: 'JKS',
    });
    expect(readTrustedCas(jks, { password: 'changeit', type: 'jks' }, 'x.jks')).toEqual({ caPems: [pem()] });
  });

  it('names the file and the fix for a wrong password, a missing file, PEM, JCEKS, damage and emptiness', () => {
    writeFileSync(join(dir, 'truststore.jks'), writePkcs12Truststore(certs(), 'changeit'));
    const path = join(dir, 'truststore.jks');
    const load = (password = 'changeit', file = 'truststore.jks') =>
      loadTrustedCaPems({ path: file, password, type: 'jks' }, home);
    expect(message(() => load('wrong'))).toBe(
      `truststore ${path}: keystore password was incorrect (or the file was altered) — set -Djavax.net.ssl.trustStorePassword in jetty.jvm.args to the store's password`,
    );
    expect(message(() => load('changeit', 'missing.jks'))).toBe(
      `truststore ${join(dir, 'missing.jks')} does not exist — put the truststore there, or point -Djavax.net.ssl.trustStore in jetty.jvm.args at the truststore`,
    );
    const read = (bytes: Buffer) => () =>
      readTrustedCas(bytes, { password: 'changeit', type: 'jks' }, '/x/truststore.jks');
    expect(message(read(Buffer.from(ca.pem)))).toMatch(
      /^truststore \/x\/truststore\.jks is PEM text, which Java does not open as a truststore — import the certificate: keytool -importcert /,
    );
    expect(message(read(Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2, 0, 0, 0, 0])))).toMatch(
      /^truststore \/x\/truststore\.jks is a JCEKS keystore, which Java opens only as JCEKS — convert it: keytool -importkeystore /,
    );
    const p12 = writePkcs12Truststore(certs(), 'changeit');
    expect(message(read(p12.subarray(0, p12.length - 40)))).toMatch(
      /^truststore \/x\/truststore\.jks is damaged: .* — replace it with a truststore that keytool -list opens$/,
    );
    expect(message(read(Buffer.from('garbage that is no keystore')))).toMatch(
      /^truststore \/x\/truststore\.jks: truststore is neither a JKS nor a PKCS#12 file .* — use a JKS or PKCS#12 truststore/,
    );
  });
});
