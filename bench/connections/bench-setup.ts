/** Setup steps both benches share: free ports, bound listeners, swarm processes. */
import { createServer } from 'node:net';
import { type BenchContext } from './bench-context.js';
import { sleep } from './stats.js';
import { SwarmClient } from './swarm-client.js';
import { type SwarmConfig } from './swarm-protocol.js';
import { DEFAULT_MAX_SOCKETS_PER_PROCESS } from '../ceiling/spread-plan.js';

/** Source addresses for the simulated agents: 127.0.0.2–127.0.0.20. */
export const LOCAL_ADDRESSES = Array.from({ length: 19 }, (_, i) => `127.0.0.${i + 2}`);

/**
 * Simulated agents per swarm process at most: each holds one socket (plus a few shared download
 * connections), and the hard open-files limit is 20,000 per process.
 */
export const MAX_AGENTS_PER_SWARM = DEFAULT_MAX_SOCKETS_PER_PROCESS;

/** The secure listener comes up asynchronously after the settings change: wait until it is bound. */
export async function waitForListeners(
  ctx: BenchContext,
  plainPort: number,
  securePort: number,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const bound = await ctx.api.listeners();
    const on = (kind: string, port: number) => bound.some((l) => l.kind === kind && l.port === port);
    if (on('plain', plainPort) && on('secure', securePort)) return;
    await sleep(100);
  }
  throw new Error('central did not bind both agent listeners within 10 s');
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The id of the i-th simulated agent of a run. */
export const benchAgentId = (i: number): string => `bench-agent-${String(i).padStart(6, '0')}`;

/**
 * Splits `n` agents (ids `bench-agent-000000`…) over `swarmCount` processes, starts them into
 * `ctx.swarms` and returns each one's size. `config` is everything but the ids; `addressesOf(i)`, when
 * given, replaces `config.localAddresses` for swarm i (planSwarms' rotation).
 */
export async function startSwarms(
  ctx: BenchContext,
  n: number,
  swarmCount: number,
  config: Omit<SwarmConfig, 'agentIds'>,
  addressesOf?: (swarmIndex: number) => string[],
): Promise<number[]> {
  const sizes = Array.from({ length: swarmCount }, (_, i) => Math.floor((n + i) / swarmCount));
  let next = 0;
  for (const [i, size] of sizes.entries()) {
    const agentIds = Array.from({ length: size }, () => benchAgentId(next++));
    const localAddresses = addressesOf?.(i) ?? config.localAddresses;
    ctx.swarms.push(await SwarmClient.start(`swarm ${i + 1}`, { ...config, localAddresses, agentIds }));
  }
  return sizes;
}
