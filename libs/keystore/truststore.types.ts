/** One trusted certificate of a truststore: its alias and its DER encoding, byte for byte as stored. */
export interface TrustedCertificate {
  alias: string;
  der: Buffer;
}

/** The truststore formats this library reads and writes. JCEKS files are read as `jks`. */
export type TruststoreType = 'jks' | 'pkcs12';

/** What a format reader found, before the checks common to every format. */
export interface TruststoreContents {
  certificates: TrustedCertificate[];
  /** Private-key (and other non-certificate) entries that a truststore read skips. */
  skippedEntries: number;
}
