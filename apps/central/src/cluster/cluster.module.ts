import { type DynamicModule, Global, Module } from '@nestjs/common';
import { EventBus } from '../common/event-bus.js';
import { ClusterBus } from './cluster-bus.js';
import { NodeIdentity } from './node-identity.js';
import { NodeLease } from './node-lease.js';
import { NodesRepository } from './nodes.repository.js';

@Global()
@Module({})
export class ClusterModule {
  static forNode(node: NodeIdentity): DynamicModule {
    return {
      module: ClusterModule,
      providers: [
        { provide: NodeIdentity, useValue: node },
        EventBus,
        ClusterBus,
        NodesRepository,
        NodeLease,
      ],
      exports: [NodeIdentity, EventBus, ClusterBus, NodesRepository, NodeLease],
    };
  }
}
