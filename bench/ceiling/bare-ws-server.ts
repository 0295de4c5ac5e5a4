/**
 * Child process of the connection and rollout benches: one bare `ws` server (bare-ws.ts), configured by
 * a JSON argument; tells its parent when it listens, pushes `profile.sync` to its sessions when asked
 * (answering `pushed`), and stops on SIGTERM after closing its sessions.
 */
import {
  serveBare,
  type BareServerCommand,
  type BareServerConfig,
  type BareServerMessage,
} from './bare-ws.js';

process.on('disconnect', () => process.exit(0));
serveBare(JSON.parse(process.argv[2] ?? '{}') as BareServerConfig).then(
  (server) => {
    process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
    process.on('message', (command: BareServerCommand) => {
      if (command.type === 'push')
        process.send?.({ type: 'pushed', sent: server.push(command.frame) } satisfies BareServerMessage);
    });
    process.send?.({ type: 'listening', pid: process.pid } satisfies BareServerMessage);
  },
  (error: Error) => {
    process.send?.({ type: 'error', message: error.message } satisfies BareServerMessage);
    process.exit(1);
  },
);
