import { JCEKS_MAGIC, JKS_MAGIC } from './jks.format.js';
import { detectKeystoreType } from './keystore-type.detector.js';

/** What a truststore file holds, told from its first bytes. */
export type TruststoreContent = 'jks' | 'jceks' | 'pkcs12' | 'pem';

/**
 * Tells a truststore's format from its content, whatever its name or declared type says (Java does the
 * same for JKS and PKCS#12: keytool on JDK 9+ writes PKCS#12 into `truststore.jks`). Unlike
 * detectKeystoreType, JCEKS is told apart from JKS (Java opens it only as JCEKS) and PEM text is
 * recognised. Undefined when the header matches none of them.
 */
export function detectTruststoreContent(bytes: Buffer): TruststoreContent | undefined {
  if (bytes.length >= 4) {
    const magic = bytes.readUInt32BE(0);
    if (magic === JKS_MAGIC) return 'jks';
    if (magic === JCEKS_MAGIC) return 'jceks';
  }
  if (detectKeystoreType(bytes) === 'pkcs12') return 'pkcs12';
  // A BOM or blank lines may precede the armour; comments ("Bag Attributes") too, in openssl's output.
  const head = bytes.subarray(0, 4096).toString('latin1');
  return /-----BEGIN [A-Z0-9 ]+-----/.test(head) ? 'pem' : undefined;
}
