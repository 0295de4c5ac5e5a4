/**
 * Child process of the connection bench: one bare `ws` server (bare-ws.ts), configured by a JSON
 * argument; tells its parent when it listens and stops on SIGTERM after closing its sessions.
 */
import { serveBare, type BareServerConfig, type BareServerMessage } from './bare-ws.js';

process.on('disconnect', () => process.exit(0));
serveBare(JSON.parse(process.argv[2] ?? '{}') as BareServerConfig).then(
  (server) => {
    process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
    process.send?.({ type: 'listening', pid: process.pid } satisfies BareServerMessage);
  },
  (error: Error) => {
    process.send?.({ type: 'error', message: error.message } satisfies BareServerMessage);
    process.exit(1);
  },
);
