import { randomBytes } from 'node:crypto';
import {
  bmpString,
  explicit,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
} from './der.writer.js';
import { pkcs12Mac } from './pkcs12.mac.js';
import { pkcs12Password } from './pkcs12.kdf.js';
import { MAC_HASHES, Oid } from './pkcs12.oids.js';
import { validateTruststoreInput } from './truststore-input.validation.js';
import type { TrustedCertificate } from './truststore.types.js';

/** MAC settings of Java 17's keytool: HMAC-SHA-256 keyed by the PKCS#12 KDF, 20-byte salt, 10,000 rounds. */
const MAC_ITERATIONS = 10_000;
const MAC_SALT_LENGTH = 20;

/**
 * Writes a PKCS#12 truststore that Java's keytool lists with one trustedCertEntry per certificate, and that
 * OpenSSL reads.
 *
 * Each certificate is a cert bag with its alias as friendlyName and Java's trustedKeyUsage attribute
 * (2.16.840.1.113894.746875.1.1 = anyExtendedKeyUsage). The bags are not encrypted — certificates are
 * public, as with Java's `keystore.pkcs12.certProtectionAlgorithm=NONE`. The file is protected by an
 * HMAC-SHA-256 MAC (PKCS#12 KDF, 10,000 iterations, random 20-byte salt), as keytool 17 writes; the output
 * therefore differs run to run unless `options.salt` is given: callers that need byte-identical output
 * (profile revisions) pass a salt derived from the content. Aliases are written as given (Java shows them
 * lower-cased).
 *
 * Java 17 opens PKCS#12 files only with passwords of printable ASCII characters ("Password is not
 * ASCII"); other passwords give a file that OpenSSL reads but Java does not.
 *
 * @throws KeystoreError EMPTY when `certs` is empty; UNSUPPORTED_ENTRY for an empty or duplicate
 *   (case-insensitively) alias, or DER that is not an X.509 certificate.
 */
export function writePkcs12Truststore(
  certs: TrustedCertificate[],
  password: string,
  options: { salt?: Buffer } = {},
): Buffer {
  validateTruststoreInput(certs);
  const trustedUsage = sequence(
    objectIdentifier(Oid.ORACLE_TRUSTED_KEY_USAGE),
    set(objectIdentifier(Oid.ANY_EXTENDED_KEY_USAGE)),
  );
  const bags = certs.map(({ alias, der }) =>
    sequence(
      objectIdentifier(Oid.CERT_BAG),
      explicit(0, sequence(objectIdentifier(Oid.X509_CERTIFICATE), explicit(0, octetString(der)))),
      set(sequence(objectIdentifier(Oid.FRIENDLY_NAME), set(bmpString(alias))), trustedUsage),
    ),
  );
  const data = (content: Buffer) => sequence(objectIdentifier(Oid.DATA), explicit(0, octetString(content)));
  const authSafe = sequence(data(sequence(...bags)));

  const sha256 = MAC_HASHES[Oid.SHA256]!;
  const salt = options.salt ?? randomBytes(MAC_SALT_LENGTH);
  const mac = pkcs12Mac(sha256, pkcs12Password(password), salt, MAC_ITERATIONS, authSafe);
  return sequence(
    integer(3),
    data(authSafe),
    sequence(
      sequence(sequence(objectIdentifier(Oid.SHA256), nullValue()), octetString(mac)),
      octetString(salt),
      integer(MAC_ITERATIONS),
    ),
  );
}
