import { Inject, Injectable, Logger } from '@nestjs/common';
import { hostname } from 'node:os';
import {
  generateSelfSignedServerCertificate,
  summarizeCertificate,
  type CertificateSummary,
  type ImportFile,
} from '../../../../libs/pki/index.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { ClusterBus, type EventPublisher } from '../cluster/cluster-bus.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { checkImport } from './certificate-import.js';
import { reportServerCertificate, type ServerCertificateReport } from './certificate-report.js';
import { CertificatesRepository } from './certificates.repository.js';

export interface ServerIdentity {
  id: string;
  chainPem: string;
  keyPem: string;
  summary: CertificateSummary;
}

/** Where the active certificate came from, shown to operators. */
export type CertificateSource = 'self-signed' | 'imported' | 'acme' | 'local-ca';

const KEY_PURPOSE = 'server-certificate-key';
const SELF_SIGNED_DAYS = 825;

@Injectable()
export class CertificatesService {
  private readonly logger = new Logger('certificates');

  constructor(
    private readonly repo: CertificatesRepository,
    private readonly secrets: SecretBox,
    @Inject(ClusterBus) private readonly cluster: EventPublisher,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  /** First start: a self-signed ECDSA P-256 certificate for localhost and this machine, so secure can be enabled at once. */
  async ensureServerCertificate(): Promise<void> {
    if (await this.repo.findActive()) return;
    await this.installSelfSigned();
  }

  async installSelfSigned(): Promise<ServerIdentity> {
    const hosts = [...new Set(['localhost', hostname(), '127.0.0.1', '::1'])];
    const generated = await generateSelfSignedServerCertificate({ hosts, validityDays: SELF_SIGNED_DAYS });
    const identity = await this.install({
      source: 'self-signed',
      chainPem: generated.certificatePem,
      keyPem: generated.privateKeyPem,
    });
    this.logger.log(
      `generated a self-signed server certificate for ${hosts.join(', ')} (${identity.summary.fingerprintSha256})`,
    );
    return identity;
  }

  /**
   * Makes a checked identity the active server certificate (key sealed under the master key) and tells
   * every node, which swap it live on their secure listeners. `chainPem` is leaf first.
   */
  async install(identity: {
    source: CertificateSource;
    chainPem: string;
    keyPem: string;
  }): Promise<ServerIdentity> {
    const summary = summarizeCertificate(identity.chainPem);
    const id = await this.repo.insertActive({
      source: identity.source,
      chainPem: identity.chainPem,
      keyEncrypted: this.secrets.seal(identity.keyPem, KEY_PURPOSE),
      fingerprintSha256: summary.fingerprintSha256,
      notBefore: new Date(summary.notBefore),
      notAfter: new Date(summary.notAfter),
    });
    await this.cluster.publish('certificate.changed', { id });
    return { id, chainPem: identity.chainPem, keyPem: identity.keyPem, summary };
  }

  /** The active certificate with its decrypted key, for the secure listener only. */
  async activeIdentity(): Promise<ServerIdentity | undefined> {
    const stored = await this.repo.findActive();
    if (!stored) return undefined;
    return {
      id: stored.id,
      chainPem: stored.chainPem,
      keyPem: this.secrets.open(stored.keyEncrypted, KEY_PURPOSE).toString('utf8'),
      summary: summarizeCertificate(stored.chainPem),
    };
  }

  async activeSummary(now = new Date()): Promise<ServerCertificateReport> {
    const stored = await this.repo.findActive();
    if (!stored) throw new DomainError(ErrorCode.NOT_FOUND, 'no active server certificate');
    return reportServerCertificate(stored, now);
  }

  /**
   * Checks uploaded files (any supported format) and, only if every check passes, makes them the
   * active server certificate on every node. A refusal changes nothing.
   */
  async importFiles(
    files: ImportFile[],
    password: string | undefined,
    hosts: string[] | undefined,
  ): Promise<{ certificate: ServerCertificateReport; warnings: string[] }> {
    const imported = await checkImport(files, password, hosts ?? this.config.agentHosts);
    const installed = await this.install({
      source: 'imported',
      chainPem: imported.chainPem,
      keyPem: imported.keyPem,
    });
    this.logger.log(
      `imported server certificate ${installed.summary.subject} (${installed.summary.fingerprintSha256}) from ${files
        .map((f) => f.name)
        .join(', ')}`,
    );
    for (const warning of imported.warnings) this.logger.warn(`imported certificate: ${warning}`);
    return { certificate: await this.activeSummary(), warnings: imported.warnings };
  }

  async activeChainPem(): Promise<string> {
    const stored = await this.repo.findActive();
    if (!stored) throw new DomainError(ErrorCode.NOT_FOUND, 'no active server certificate');
    return stored.chainPem;
  }
}
