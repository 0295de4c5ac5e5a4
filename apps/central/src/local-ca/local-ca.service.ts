import { Injectable, Logger } from '@nestjs/common';
import { X509Certificate, randomBytes } from 'node:crypto';
import {
  CsrError,
  generateLocalCa,
  signClientCertificate,
  type LocalCaIdentity,
  type Validity,
} from '../../../../libs/pki/index.js';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../crypto/secret-box.js';
import { LocalCaRepository } from './local-ca.repository.js';

const KEY_PURPOSE = 'local-ca-key';
const CA_VALIDITY_DAYS = 3650;
/** Agents renew over mutual TLS in their last 30 days (ADR 0008). */
export const CLIENT_CERTIFICATE_DAYS = 365;

export interface AgentCertificateRequest {
  agentId: string;
  csrPem: string;
  address: string;
  /** The upgrade carried an enrollment token. */
  enrolling: boolean;
  /** The connection already presented a valid certificate of this agent (renewal). */
  overMutualTls: boolean;
}

/**
 * Central's own CA for agent client certificates. Created on first need; its key is sealed under the
 * master key and only opened in memory to sign.
 */
@Injectable()
export class LocalCaService {
  private readonly logger = new Logger('local-ca');
  private identity: Promise<LocalCaIdentity> | undefined;

  constructor(
    private readonly repo: LocalCaRepository,
    private readonly secrets: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async caCertificatePem(): Promise<string> {
    return (await this.ca()).certificatePem;
  }

  /** Those agents that could not pass a `required` handshake today (no valid certificate issued). */
  agentsWithoutValidCertificate(agentIds: string[]): Promise<string[]> {
    return this.repo.withoutValidCertificate(agentIds);
  }

  /**
   * Signs the CSR an agent sent at the upgrade when it may have a certificate: when enrolling with a
   * token, renewing over mutual TLS, or for its very first certificate on its credential (fleets enrolled
   * before mutual TLS). A CSR that fails the checks is logged and audited; the connection goes on.
   */
  async issueAtUpgrade(request: AgentCertificateRequest): Promise<string | undefined> {
    const { agentId, address } = request;
    const why = request.enrolling
      ? 'enrollment'
      : request.overMutualTls
        ? 'renewal'
        : (await this.repo.hasIssued(agentId))
          ? undefined
          : 'first certificate';
    if (!why) {
      this.logger.warn(
        `agent ${agentId} (${address}) asked for a certificate but already had one; it needs an enrollment token`,
      );
      return undefined;
    }
    const actor = { username: `agent:${agentId}`, address };
    try {
      const issued = await this.issueAgentCertificate(agentId, request.csrPem);
      await this.audit.record(actor, 'agent certificate', 'success', agentId, {
        why,
        serial: issued.serialNumber,
        notAfter: issued.notAfter.toISOString(),
      });
      this.logger.log(`issued certificate ${issued.serialNumber} to agent ${agentId} (${why})`);
      return issued.chainPem;
    } catch (error) {
      if (!(error instanceof CsrError)) throw error;
      this.logger.warn(`agent ${agentId} (${address}): certificate request refused: ${error.message}`);
      await this.audit.record(actor, 'agent certificate', 'refused', agentId, { why, reason: error.message });
      return undefined;
    }
  }

  /** Signs and records an agent certificate; `validity` overrides the default (tests sign expired ones). */
  async issueAgentCertificate(
    agentId: string,
    csrPem: string,
    validity: Partial<Validity> = {},
  ): Promise<{ chainPem: string; serialNumber: string; notAfter: Date }> {
    const ca = await this.ca();
    const issued = await signClientCertificate({
      ca,
      csrPem,
      agentId,
      validityDays: CLIENT_CERTIFICATE_DAYS,
      ...validity,
    });
    await this.repo.recordIssued({
      serial: issued.serialNumber,
      agentId,
      fingerprintSha256: issued.fingerprintSha256,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
    });
    return {
      chainPem: issued.certificatePem + ca.certificatePem,
      serialNumber: issued.serialNumber,
      notAfter: issued.notAfter,
    };
  }

  private ca(): Promise<LocalCaIdentity> {
    this.identity ??= this.loadOrCreate().catch((error: unknown) => {
      this.identity = undefined; // a database hiccup must not stick
      throw error;
    });
    return this.identity;
  }

  private async loadOrCreate(): Promise<LocalCaIdentity> {
    let stored = await this.repo.findCa();
    if (!stored) {
      const label = randomBytes(4).toString('hex'); // tells installations apart in a truststore
      const generated = await generateLocalCa({
        commonName: `Switchyard local CA ${label}`,
        validityDays: CA_VALIDITY_DAYS,
      });
      const cert = new X509Certificate(generated.certificatePem);
      await this.repo.insertCaIfAbsent({
        certificatePem: generated.certificatePem,
        keyEncrypted: this.secrets.seal(generated.privateKeyPem, KEY_PURPOSE),
        fingerprintSha256: cert.fingerprint256,
        notAfter: new Date(cert.validTo),
      });
      stored = await this.repo.findCa();
      if (!stored) throw new Error('the local CA could not be stored');
      if (stored.certificatePem === generated.certificatePem) {
        this.logger.log(
          `created the local CA (${cert.subject.replace(/\n/g, ', ')}, ${cert.fingerprint256})`,
        );
      }
    }
    return {
      certificatePem: stored.certificatePem,
      privateKeyPem: this.secrets.open(stored.keyEncrypted, KEY_PURPOSE).toString('utf8'),
    };
  }
}
