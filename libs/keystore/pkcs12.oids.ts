// Object identifiers used by PKCS#12 (RFC 7292), PKCS#5 (RFC 8018) and Java's PKCS12KeyStore.

export const Oid = {
  DATA: '1.2.840.113549.1.7.1',
  SIGNED_DATA: '1.2.840.113549.1.7.2',
  ENVELOPED_DATA: '1.2.840.113549.1.7.3',
  ENCRYPTED_DATA: '1.2.840.113549.1.7.6',

  KEY_BAG: '1.2.840.113549.1.12.10.1.1',
  PKCS8_SHROUDED_KEY_BAG: '1.2.840.113549.1.12.10.1.2',
  CERT_BAG: '1.2.840.113549.1.12.10.1.3',
  CRL_BAG: '1.2.840.113549.1.12.10.1.4',
  SECRET_BAG: '1.2.840.113549.1.12.10.1.5',
  SAFE_CONTENTS_BAG: '1.2.840.113549.1.12.10.1.6',
  X509_CERTIFICATE: '1.2.840.113549.1.9.22.1',

  FRIENDLY_NAME: '1.2.840.113549.1.9.20',
  LOCAL_KEY_ID: '1.2.840.113549.1.9.21',
  /** Java's trustedKeyUsage bag attribute: without it keytool does not list a certificate as trusted. */
  ORACLE_TRUSTED_KEY_USAGE: '2.16.840.1.113894.746875.1.1',
  ANY_EXTENDED_KEY_USAGE: '2.5.29.37.0',

  PBES2: '1.2.840.113549.1.5.13',
  PBKDF2: '1.2.840.113549.1.5.12',
  /** scrypt as a PBES2 key derivation (RFC 7914; what `openssl pkcs8 -topk8 -scrypt` writes). */
  SCRYPT: '1.3.6.1.4.1.11591.4.11',
  PBE_SHA1_RC4_128: '1.2.840.113549.1.12.1.1',
  PBE_SHA1_RC4_40: '1.2.840.113549.1.12.1.2',
  PBE_SHA1_3DES: '1.2.840.113549.1.12.1.3',
  PBE_SHA1_2DES: '1.2.840.113549.1.12.1.4',
  PBE_SHA1_RC2_128: '1.2.840.113549.1.12.1.5',
  PBE_SHA1_RC2_40: '1.2.840.113549.1.12.1.6',

  AES_128_CBC: '2.16.840.1.101.3.4.1.2',
  AES_192_CBC: '2.16.840.1.101.3.4.1.22',
  AES_256_CBC: '2.16.840.1.101.3.4.1.42',
  DES_EDE3_CBC: '1.2.840.113549.3.7',

  SHA1: '1.3.14.3.2.26',
  SHA224: '2.16.840.1.101.3.4.2.4',
  SHA256: '2.16.840.1.101.3.4.2.1',
  SHA384: '2.16.840.1.101.3.4.2.2',
  SHA512: '2.16.840.1.101.3.4.2.3',
  SHA512_224: '2.16.840.1.101.3.4.2.5',
  SHA512_256: '2.16.840.1.101.3.4.2.6',

  HMAC_SHA1: '1.2.840.113549.2.7',
  HMAC_SHA224: '1.2.840.113549.2.8',
  HMAC_SHA256: '1.2.840.113549.2.9',
  HMAC_SHA384: '1.2.840.113549.2.10',
  HMAC_SHA512: '1.2.840.113549.2.11',
} as const;

/** A hash as Node's crypto names it, with the input block size the PKCS#12 KDF needs. */
export interface HashAlgorithm {
  name: string;
  blockSize: number;
  outputSize: number;
}

/** Hashes allowed for the PKCS#12 MAC, by DigestInfo algorithm OID. */
export const MAC_HASHES: Readonly<Record<string, HashAlgorithm>> = {
  [Oid.SHA1]: { name: 'sha1', blockSize: 64, outputSize: 20 },
  [Oid.SHA224]: { name: 'sha224', blockSize: 64, outputSize: 28 },
  [Oid.SHA256]: { name: 'sha256', blockSize: 64, outputSize: 32 },
  [Oid.SHA384]: { name: 'sha384', blockSize: 128, outputSize: 48 },
  [Oid.SHA512]: { name: 'sha512', blockSize: 128, outputSize: 64 },
  [Oid.SHA512_224]: { name: 'sha512-224', blockSize: 128, outputSize: 28 },
  [Oid.SHA512_256]: { name: 'sha512-256', blockSize: 128, outputSize: 32 },
};

/** PBKDF2 pseudo-random functions, by OID, as Node's pbkdf2 digest names. */
export const PBKDF2_PRFS: Readonly<Record<string, string>> = {
  [Oid.HMAC_SHA1]: 'sha1',
  [Oid.HMAC_SHA224]: 'sha224',
  [Oid.HMAC_SHA256]: 'sha256',
  [Oid.HMAC_SHA384]: 'sha384',
  [Oid.HMAC_SHA512]: 'sha512',
};

/** PBES2 encryption schemes, by OID: Node cipher name and key length. */
export const PBES2_CIPHERS: Readonly<Record<string, { cipher: string; keyLength: number }>> = {
  [Oid.AES_128_CBC]: { cipher: 'aes-128-cbc', keyLength: 16 },
  [Oid.AES_192_CBC]: { cipher: 'aes-192-cbc', keyLength: 24 },
  [Oid.AES_256_CBC]: { cipher: 'aes-256-cbc', keyLength: 32 },
  [Oid.DES_EDE3_CBC]: { cipher: 'des-ede3-cbc', keyLength: 24 },
};

/** Highest iteration count accepted from a file, as in Java's PKCS12KeyStore; stops a file from hanging us. */
export const MAX_ITERATIONS = 5_000_000;
