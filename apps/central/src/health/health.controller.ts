import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { DatabaseProbe } from '../database/database-probe.js';
import { NodeIdentity } from '../cluster/node-identity.js';
import { NodeLease } from '../cluster/node-lease.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { healthSchema, readySchema } from '../../../../libs/api/health.js';

@Controller()
export class HealthController {
  constructor(
    private readonly database: DatabaseProbe,
    private readonly node: NodeIdentity,
    private readonly lease: NodeLease,
  ) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('health')
  @ApiDoc({ response: healthSchema })
  health() {
    return { status: 'ok', nodeId: this.node.id };
  }

  /**
   * Readiness: the database answers and this node holds its node lease. Without the lease the other
   * nodes may declare this one dead and mark its agents disconnected (ADR 34), so a balancer must move
   * agents away until the lease is held again. A database that does not answer quickly (down, or the
   * pool exhausted) is a 503 with the reason before the balancer's own check times out.
   */
  @Public()
  @Get('ready')
  @ApiDoc({ response: readySchema })
  async ready() {
    const leaseLost = this.lease.notHeldBecause();
    if (leaseLost) throw new DomainError('node_not_ready', leaseLost);
    try {
      await this.database.answers();
    } catch (error) {
      throw new DomainError('database_unreachable', `database unreachable: ${(error as Error).message}`);
    }
    return { status: 'ready', database: 'ok' };
  }
}
