import { Controller, Get } from '@nestjs/common';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { nodeListenersListSchema } from '../../../../libs/api/listeners.js';

@Controller('listeners')
export class ListenersController {
  constructor(
    private readonly nodes: NodesRepository,
    private readonly heartbeat: NodeHeartbeat,
  ) {}

  /**
   * What every live node has really bound (address, port, TLS, open connections), and each listener
   * it was asked for but could not bind, with the reason (`failed`).
   */
  @Get()
  @ApiDoc({ response: nodeListenersListSchema })
  async list() {
    await this.heartbeat.beat(); // this node's entry is current, not up to 5 s old
    const nodes = await this.nodes.list();
    return nodes
      .filter((n) => n.alive)
      .map((n) => ({
        nodeId: n.id,
        nodeName: n.name,
        heartbeatAt: n.heartbeatAt,
        listeners: n.listeners,
        failed: n.listenerFailures,
      }));
  }
}
