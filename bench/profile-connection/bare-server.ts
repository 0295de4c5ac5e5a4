/**
 * The ceiling a Node central can approach (issue 15): a bare `ws` server over TLS with the same kind of
 * certificate (ECDSA P-256) and the same TLS settings as central's secure listener, answering `hello`
 * with a minimal `welcome` and nothing else. Run as a child process by the profiling harness; it prints
 * its port on stdout once bound. argv: <cert.pem> <key.pem>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';
import { tlsServerOptions } from '../../apps/central/src/listeners/tls-options.js';

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error('usage: bare-server.js <cert.pem> <key.pem>');
const server = createServer(
  tlsServerOptions(
    { chainPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') },
    'TLSv1.2',
  ),
);
const wss = new WebSocketServer({ server, maxPayload: 1024 * 1024 });
wss.on('connection', (socket) => {
  socket.on('error', () => undefined);
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type?: string; agentId?: string };
    if (frame.type === 'hello')
      socket.send(
        JSON.stringify({ type: 'welcome', agentId: frame.agentId, nodeId: 'bare', desiredProfile: null }),
      );
  });
});
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
