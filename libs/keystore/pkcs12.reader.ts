import { WRONG_PASSWORD_MESSAGE } from './keystore.errors.js';
import { certificateOfBag, openPkcs12 } from './pkcs12.container.js';
import { Oid } from './pkcs12.oids.js';
import type { TruststoreContents } from './truststore.types.js';

/**
 * Reads the trusted certificates of a PKCS#12 file after checking its MAC (when it has one).
 *
 * Which certificate bags are trusted certificates: those carrying Java's trustedKeyUsage attribute (what
 * keytool writes); in a file with no such bag and no private key, every certificate bag (what
 * `openssl pkcs12 -export -nokeys` writes). Certificates of private-key entries are skipped, and keys are
 * never decrypted (Java allows them a password of their own). Aliases are the bags' friendly names; a bag
 * without one gets its 1-based position among the trusted certificates, as Java numbers unnamed entries.
 */
export function readPkcs12(bytes: Buffer, password: string): TruststoreContents {
  const { bags } = openPkcs12(bytes, password, WRONG_PASSWORD_MESSAGE);
  const certificateBags = bags.filter((bag) => bag.type === Oid.CERT_BAG);
  const keyCount = bags.filter(
    (bag) => bag.type === Oid.KEY_BAG || bag.type === Oid.PKCS8_SHROUDED_KEY_BAG,
  ).length;
  const javaTrusted = certificateBags.filter((bag) => bag.attributes.javaTrusted);
  const trusted = javaTrusted.length > 0 ? javaTrusted : keyCount === 0 ? certificateBags : [];
  return {
    certificates: trusted.map((bag, index) => ({
      alias: bag.attributes.friendlyName ?? String(index + 1),
      der: certificateOfBag(bag),
    })),
    skippedEntries: bags.length - certificateBags.length,
  };
}
