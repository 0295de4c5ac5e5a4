import { Controller, Get } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { NodeIdentity } from '../cluster/node-identity.js';

@Controller()
export class HealthController {
  constructor(
    private readonly db: DataSource,
    private readonly node: NodeIdentity,
  ) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('health')
  health() {
    return { status: 'ok', nodeId: this.node.id };
  }

  /** Readiness: the database answers. */
  @Public()
  @Get('ready')
  async ready() {
    try {
      await this.db.query('SELECT 1');
    } catch (error) {
      throw new DomainError(ErrorCode.UNAVAILABLE, `database unreachable: ${(error as Error).message}`);
    }
    return { status: 'ready', database: 'ok' };
  }
}
