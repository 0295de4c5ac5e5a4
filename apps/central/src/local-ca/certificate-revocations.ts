import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { normalizeSerial } from '../../../../libs/pki/index.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { EventBus } from '../common/event-bus.js';
import { LocalCaRepository } from './local-ca.repository.js';
import { PeriodicTask } from '../common/periodic-task.js';

/** A NOTIFY lost while a node's LISTEN connection was down is caught up within this time. */
const REFRESH_EVERY_MS = 30_000;

/**
 * The revoked agent certificates, held in memory so that every TLS handshake checks them without a
 * database round trip; refreshed on every revocation (on all nodes, through ClusterBus) and periodically.
 */
@Injectable()
export class CertificateRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('local-ca');
  private revoked = new Set<string>();
  private task: PeriodicTask | undefined;

  constructor(
    private readonly repo: LocalCaRepository,
    private readonly cluster: ClusterBus,
    events: EventBus,
  ) {
    events.on('agent.certificate.revoked', ({ serials }) => {
      for (const serial of serials) this.revoked.add(normalizeSerial(serial));
      return this.refresh();
    });
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.task = new PeriodicTask(REFRESH_EVERY_MS, () => this.refresh()).start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  isRevoked(serial: string): boolean {
    return this.revoked.has(normalizeSerial(serial));
  }

  /** Revokes the agent's certificates; every node refuses them from the next handshake and closes its sessions. */
  async revokeAgent(agentId: string): Promise<{ agentId: string; revokedSerials: string[] }> {
    const serials = await this.repo.revokeForAgent(agentId);
    if (serials.length === 0) {
      throw new DomainError(
        'agent_certificate_not_found',
        `agent "${agentId}" has no certificate that is not revoked`,
      );
    }
    for (const serial of serials) this.revoked.add(normalizeSerial(serial));
    await this.cluster.publish('agent.certificate.revoked', { agentId, serials });
    this.logger.log(`revoked ${serials.length} certificate(s) of agent ${agentId}`);
    return { agentId, revokedSerials: serials };
  }

  private async refresh(): Promise<void> {
    try {
      const serials = await this.repo.revokedSerials();
      // Merged, not replaced: a revocation made during the query is not forgotten.
      const next = new Set(serials.map(normalizeSerial));
      for (const serial of this.revoked) next.add(serial);
      this.revoked = next;
    } catch (error) {
      this.logger.warn(`cannot refresh revoked certificates: ${(error as Error).message}`);
    }
  }
}
