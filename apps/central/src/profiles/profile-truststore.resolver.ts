import { Injectable } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import { parsePemBlocks } from '../../../../libs/pki/import/pem.blocks.js';
import { summarizeCertificate, type CertificateSummary } from '../../../../libs/pki/index.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { DomainError } from '../common/domain-error.js';
import { LocalCaService } from '../local-ca/local-ca.service.js';
import { type TruststoreEntry } from './truststore-selection.js';

/** A certificate a truststore will hold, resolved from its source. */
export interface ResolvedCertificate {
  alias: string;
  der: Buffer;
  pem: string;
  summary: CertificateSummary;
}

export interface TruststoreEntryView {
  source: TruststoreEntry['source'];
  alias: string;
  /** The certificate the entry stands for now; null when there is none (`problem` says why). */
  certificate: CertificateSummary | null;
  problem?: string;
}

/**
 * Turns a truststore selection into certificates. `server-anchor` is the last certificate of the active
 * server chain (the root agents must trust), `local-ca` central's own CA: both are read at the time of the
 * call, so a prepared revision holds what was active when it was prepared.
 */
@Injectable()
export class ProfileTruststoreResolver {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly localCa: LocalCaService,
  ) {}

  /**
   * The certificates in selection order; one that two sources name alike (a server certificate issued by
   * the local CA) is kept once, under its first alias.
   *
   * @throws DomainError CONFLICT when a source has no certificate now
   */
  async resolve(entries: TruststoreEntry[]): Promise<ResolvedCertificate[]> {
    const resolved: ResolvedCertificate[] = [];
    for (const entry of entries) {
      const pem = await this.pemOf(entry);
      if (pem === undefined) {
        throw new DomainError(
          'truststore_entry_unresolved',
          `truststore entry ${entry.alias}: ${this.missing(entry)}`,
        );
      }
      const certificate = toResolved(entry.alias, pem);
      if (!resolved.some((r) => r.summary.fingerprintSha256 === certificate.summary.fingerprintSha256)) {
        resolved.push(certificate);
      }
    }
    return resolved;
  }

  /** Each entry with a summary of the certificate it would put in the truststore now. */
  async describe(entries: TruststoreEntry[]): Promise<TruststoreEntryView[]> {
    return Promise.all(
      entries.map(async (entry): Promise<TruststoreEntryView> => {
        const pem = await this.pemOf(entry);
        return pem === undefined
          ? { source: entry.source, alias: entry.alias, certificate: null, problem: this.missing(entry) }
          : { source: entry.source, alias: entry.alias, certificate: summarizeCertificate(pem) };
      }),
    );
  }

  private async pemOf(entry: TruststoreEntry): Promise<string | undefined> {
    switch (entry.source) {
      case 'uploaded':
        return entry.pem;
      case 'local-ca':
        return this.localCa.caCertificatePem();
      case 'server-anchor': {
        const chain = await this.certificates.activeChainPem().catch((error: unknown) => {
          if (error instanceof DomainError && error.category === 'not_found') return undefined;
          throw error;
        });
        const last =
          chain &&
          parsePemBlocks(chain)
            .filter((b) => b.label === 'CERTIFICATE')
            .at(-1);
        return last ? new X509Certificate(last.der).toString() : undefined;
      }
    }
  }

  private missing(entry: TruststoreEntry): string {
    return entry.source === 'server-anchor' ? 'central has no active server certificate' : 'no certificate';
  }
}

function toResolved(alias: string, pem: string): ResolvedCertificate {
  const cert = new X509Certificate(pem);
  return { alias, der: cert.raw, pem: cert.toString(), summary: summarizeCertificate(pem) };
}
