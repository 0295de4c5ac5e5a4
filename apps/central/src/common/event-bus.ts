import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** Events that cross domains inside one node (cluster-wide ones arrive here through ClusterBus). */
export interface CentralEvents {
  'settings.changed': { version: number };
  'certificate.changed': { id: string };
  'agent.revoked': { agentId: string };
  /** Agents whose reported trust anchors were just stored: nodes forget what they remembered of them. */
  'agent.trust.reported': { agentIds: string[] };
  /** The agent was enrolled again with a new credential: nodes drop the one they hold in memory. */
  'agent.credential.changed': { agentId: string };
  /** Client certificates of the agent were revoked: refuse them at the next handshake, close its mTLS session. */
  'agent.certificate.revoked': { agentId: string; serials: string[] };
  /** A rollout moved (created, wave advanced, paused, approved, ...): every node sends what is now due. */
  'rollout.changed': { rolloutId: string };
  /** Agents whose visible status changed (full rows as GET /api/agents shows them), for the UI's live socket. */
  'agents.status.changed': { agents: ReadonlyArray<{ id: string }>; removed: string[] };
  /** Rollouts whose progress moved (as GET /api/rollouts/:id shows them), for the UI's live socket. */
  'rollouts.progress.changed': { rollouts: ReadonlyArray<{ id: string }> };
  /** Diagnostics bundles were asked for (ADR 44): the node holding each agent's session sends the request. */
  'diagnostics.requested': { requests: Array<{ id: string; agentId: string; maxBytes: number }> };
  /** The secure listener's TLS session ticket keys were rotated (ADR 53): nodes reload them. */
  'tls.ticket-keys.changed': { generation: number };
}

/** A small typed event bus, so domains never inject each other in both directions. */
@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter();

  on<K extends keyof CentralEvents>(
    event: K,
    handler: (payload: CentralEvents[K]) => void | Promise<void>,
  ): void {
    this.emitter.on(event, (payload: CentralEvents[K]) => {
      void Promise.resolve(handler(payload)).catch((error: unknown) => this.emitter.emit('error', error));
    });
  }

  emit<K extends keyof CentralEvents>(event: K, payload: CentralEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  onError(handler: (error: unknown) => void): void {
    this.emitter.on('error', handler);
  }
}
