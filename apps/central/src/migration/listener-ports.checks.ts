import { createServer } from 'node:net';
import { type BoundListener } from '../cluster/nodes.repository.js';
import { type WebSocketSettings } from '../settings/websocket-settings.js';
import { type Precondition } from './precondition.js';

export function checkPortsDistinct(s: WebSocketSettings, adminPort: number): Precondition {
  const clash =
    s.plain.port === s.secure.port
      ? `plain and secure both use port ${s.plain.port}`
      : s.secure.port === adminPort
        ? `secure port ${s.secure.port} is the admin HTTP port`
        : undefined;
  return clash
    ? { id: 'ports_distinct', ok: false, reason: clash }
    : {
        id: 'ports_distinct',
        ok: true,
        reason: `plain ${s.plain.port}, secure ${s.secure.port}, admin ${adminPort}`,
      };
}

/** Tries to bind address:port on this machine; resolves with the OS error code, or undefined when free. */
export function bindTest(address: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * The secure port must be bindable: already bound by one of our listeners, or free on this node (a
 * bind test). Another process holding it would make enabling secure fail on this node.
 */
export async function checkPortsFree(
  s: WebSocketSettings,
  ours: BoundListener[],
  probe: (address: string, port: number) => Promise<string | undefined> = bindTest,
): Promise<Precondition> {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const kind of ['plain', 'secure'] as const) {
    const { port, bindAddress } = s[kind];
    if (ours.some((l) => l.port === port)) {
      notes.push(`${kind} ${port}: our ${ours.find((l) => l.port === port)!.kind} listener`);
      continue;
    }
    const error = await probe(bindAddress, port);
    if (error === undefined) notes.push(`${kind} ${port}: free on ${bindAddress}`);
    else if (error === 'EADDRINUSE')
      problems.push(`${kind} port ${port} on ${bindAddress} is in use by another process`);
    else problems.push(`${kind} port ${port} on ${bindAddress} cannot be bound (${error})`);
  }
  return problems.length > 0
    ? { id: 'ports_free', ok: false, reason: problems.join('; ') }
    : { id: 'ports_free', ok: true, reason: notes.join('; ') };
}
