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
import { DomainError } from '../common/domain-error.js';
import { CertificateGuard } from './certificate-guard.js';
import { checkImport } from './certificate-import.js';
import { reportServerCertificate, type ServerCertificateReport } from './certificate-report.js';
import { CertificatesRepository } from './certificates.repository.js';
import { type StrandedAgent } from './stranded-agents.js';

export interface ServerIdentity {
  id: string;
  chainPem: string;
  keyPem: string;
  summary: CertificateSummary;
  /** Set when the change was forced past agents that would not trust it: who, and why. */
  forcedPast?: StrandedAgent[];
}

/** How a change of the served certificate is made: `force` goes past agents it would strand (ADR 24). */
export interface ChangeOptions {
  force?: boolean;
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
    private readonly guard: CertificateGuard,
  ) {}

  /** First start: a self-signed ECDSA P-256 certificate for localhost and this machine, so secure can be enabled at once. */
  async ensureServerCertificate(): Promise<void> {
    if (await this.repo.findActive()) return;
    await this.installSelfSigned();
  }

  async installSelfSigned(options: ChangeOptions = {}): Promise<ServerIdentity> {
    const hosts = [...new Set(['localhost', hostname(), '127.0.0.1', '::1'])];
    const generated = await generateSelfSignedServerCertificate({ hosts, validityDays: SELF_SIGNED_DAYS });
    const identity = await this.install(
      { source: 'self-signed', chainPem: generated.certificatePem, keyPem: generated.privateKeyPem },
      options,
    );
    this.logger.log(
      `generated a self-signed server certificate for ${hosts.join(', ')} (${identity.summary.fingerprintSha256})`,
    );
    return identity;
  }

  /**
   * Makes a checked identity the active server certificate (key sealed under the master key) and tells
   * every node, which swap it live on their secure listeners. `chainPem` is leaf first. Guarded: refused
   * with 409 `would_strand_agents` when known agents would not trust the chain, unless forced.
   */
  async install(
    identity: { source: CertificateSource; chainPem: string; keyPem: string },
    options: ChangeOptions = {},
  ): Promise<ServerIdentity> {
    const summary = summarizeCertificate(identity.chainPem);
    const current = await this.repo.findActive();
    const guarded = await this.guard.check(identity.chainPem, current?.chainPem, options.force === true);
    if (guarded.forced) this.logForced(summary.subject, guarded.stranded);
    const id = await this.repo.insertActive({
      source: identity.source,
      chainPem: identity.chainPem,
      keyEncrypted: this.secrets.seal(identity.keyPem, KEY_PURPOSE),
      fingerprintSha256: summary.fingerprintSha256,
      notBefore: new Date(summary.notBefore),
      notAfter: new Date(summary.notAfter),
    });
    await this.cluster.publish('certificate.changed', { id });
    return {
      id,
      chainPem: identity.chainPem,
      keyPem: identity.keyPem,
      summary,
      ...(guarded.forced ? { forcedPast: guarded.stranded } : {}),
    };
  }

  /** Seals a server key as the active one's is sealed (for a certificate kept to install later). */
  sealServerKey(keyPem: string): string {
    return this.secrets.seal(keyPem, KEY_PURPOSE);
  }

  openServerKey(sealed: string): string {
    return this.secrets.open(sealed, KEY_PURPOSE).toString('utf8');
  }

  /** The agents `chainPem` would strand if it were served now (nothing changes). */
  async strandedBy(chainPem: string): Promise<StrandedAgent[]> {
    return this.guard.strandedBy(chainPem, (await this.repo.findActive())?.chainPem);
  }

  /**
   * Serves the certificate that was active before the current one again (its key was kept sealed);
   * the current one becomes the previous, so restoring twice goes back. Guarded like any change.
   */
  async restorePrevious(options: ChangeOptions = {}): Promise<ServerIdentity> {
    const [current, previous] = await Promise.all([this.repo.findActive(), this.repo.findPrevious()]);
    if (!previous || !current)
      throw new DomainError(
        'previous_certificate_not_found',
        'there is no previous server certificate to restore',
      );
    const summary = summarizeCertificate(previous.chainPem);
    const guarded = await this.guard.check(previous.chainPem, current.chainPem, options.force === true);
    if (guarded.forced) this.logForced(summary.subject, guarded.stranded);
    if (!(await this.repo.reactivate(previous.id, current.id)))
      throw new DomainError(
        'server_certificate_changed_meanwhile',
        'the server certificate changed meanwhile; nothing was restored',
      );
    await this.cluster.publish('certificate.changed', { id: previous.id });
    this.logger.log(
      `restored the previous server certificate ${summary.subject} (${summary.fingerprintSha256})`,
    );
    return {
      id: previous.id,
      chainPem: previous.chainPem,
      keyPem: this.secrets.open(previous.keyEncrypted, KEY_PURPOSE).toString('utf8'),
      summary,
      ...(guarded.forced ? { forcedPast: guarded.stranded } : {}),
    };
  }

  /** What `restorePrevious` would serve, described like the active one. */
  async previousSummary(now = new Date()): Promise<ServerCertificateReport> {
    const stored = await this.repo.findPrevious();
    if (!stored)
      throw new DomainError('previous_certificate_not_found', 'there is no previous server certificate');
    return reportServerCertificate(stored, now);
  }

  private logForced(subject: string, stranded: readonly StrandedAgent[]): void {
    this.logger.warn(
      `server certificate ${subject} installed with force although ${stranded.length} agent(s) would not trust it: ${stranded
        .map((a) => `${a.id} (${a.reason})`)
        .join(', ')}`,
    );
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
    if (!stored) throw new DomainError('server_certificate_not_found', 'no active server certificate');
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
    options: ChangeOptions = {},
  ): Promise<{ certificate: ServerCertificateReport; warnings: string[] }> {
    const imported = await checkImport(files, password, hosts ?? this.config.agentHosts);
    const installed = await this.install(
      { source: 'imported', chainPem: imported.chainPem, keyPem: imported.keyPem },
      options,
    );
    if (installed.forcedPast) imported.warnings.push(forcedWarning(installed.forcedPast));
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
    if (!stored) throw new DomainError('server_certificate_not_found', 'no active server certificate');
    return stored.chainPem;
  }
}

/** The warning a forced change carries in its answer (and certmgr prints). */
export function forcedWarning(stranded: readonly StrandedAgent[]): string {
  return `forced: ${stranded.length} agent(s) will not trust this certificate: ${stranded
    .map((a) => `${a.id} (${a.reason})`)
    .join(', ')}`;
}
