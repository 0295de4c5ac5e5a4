import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import { type IncomingMessage } from 'node:http';
import { type WebSocket } from 'ws';
import { EventBus } from '../common/event-bus.js';
import { PeriodicTask } from '../common/periodic-task.js';
import { AgentStatusPoller } from './agent-status.poller.js';
import { LiveUpgradeGuard } from './live-upgrade.guard.js';
import { LIVE_PATH, type LiveMessage } from './live-messages.js';
import { RolloutProgressPoller } from './rollout-progress.poller.js';

/** How often an open socket's session is checked again (logout, expiry) and the socket pinged. */
const RECHECK_MS = 15_000;
/** Close code when the session behind a live socket has ended: the UI goes back to the login page. */
export const SESSION_ENDED_CLOSE_CODE = 4401;

interface Watcher {
  req: IncomingMessage;
  alive: boolean;
}

/**
 * The UI's live channel on the admin port: server → browser only. Authenticated at the upgrade by
 * LiveWsAdapter + LiveUpgradeGuard; pushes agent status changes and rollout progress as they are seen.
 */
@WebSocketGateway({ path: LIVE_PATH })
export class LiveGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('live');
  private readonly watchers = new Map<WebSocket, Watcher>();
  private readonly recheck = new PeriodicTask(RECHECK_MS, () => this.recheckSessions());

  constructor(
    private readonly guard: LiveUpgradeGuard,
    private readonly poller: AgentStatusPoller,
    private readonly rollouts: RolloutProgressPoller,
    private readonly bus: EventBus,
  ) {}

  onModuleInit(): void {
    this.bus.on('agents.status.changed', ({ agents, removed }) =>
      this.broadcast({ type: 'agents.changed', agents, removed }),
    );
    this.bus.on('rollouts.progress.changed', ({ rollouts }) =>
      this.broadcast({ type: 'rollouts.changed', rollouts }),
    );
    this.recheck.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.recheck.stop();
  }

  handleConnection(client: WebSocket, req: IncomingMessage): void {
    const actor = this.guard.actorOf(req);
    this.watchers.set(client, { req, alive: true });
    client.on('pong', () => {
      const w = this.watchers.get(client);
      if (w) w.alive = true;
    });
    // Nothing is expected from the browser; saying so beats dropping frames in silence.
    client.on('message', () => client.close(1008, 'this socket only sends'));
    this.poller.watch();
    this.rollouts.watch();
    this.send(client, { type: 'ready', username: actor?.username ?? null });
  }

  handleDisconnect(client: WebSocket): void {
    if (this.watchers.delete(client)) {
      this.poller.unwatch();
      this.rollouts.unwatch();
    }
  }

  private broadcast(message: LiveMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.watchers.keys()) {
      // A browser that cannot keep up is dropped rather than buffered without bound; it reconnects.
      if (client.bufferedAmount > 4 * 1024 * 1024) client.terminate();
      else client.send(text);
    }
  }

  private send(client: WebSocket, message: LiveMessage): void {
    client.send(JSON.stringify(message));
  }

  private async recheckSessions(): Promise<void> {
    for (const [client, w] of this.watchers) {
      if (!w.alive) {
        client.terminate();
        continue;
      }
      w.alive = false;
      client.ping();
      try {
        if (!(await this.guard.stillValid(w.req))) client.close(SESSION_ENDED_CLOSE_CODE, 'session ended');
      } catch (error) {
        this.logger.warn(`cannot recheck a live session: ${(error as Error).message}`);
      }
    }
  }
}
