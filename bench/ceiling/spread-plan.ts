/**
 * How a run spreads its simulated agents so 100,000 of them fit on one host: over swarm processes (each
 * under the per-process open-files limit) and over source addresses (each under its ephemeral ports).
 */

/** The hard open-files limit of a process here is 20,000: one socket per agent, a margin for the rest. */
export const DEFAULT_MAX_SOCKETS_PER_PROCESS = 19_000;

/** Agents per swarm process when `--swarm-processes` is not given: enough processes for both cores. */
export const DEFAULT_AGENTS_PER_SWARM = 10_000;

/**
 * Simulated agents per source address at most. Linux reserves the ephemeral port of a socket bound
 * before connect (`localAddress`) for that source address whatever the destination, ~28,000 of them
 * (32768–60999); a run reconnects every agent several times and the side that closes first keeps the old
 * port in TIME_WAIT for 60 s, so a source needs room for about two connections per agent.
 */
export const DEFAULT_AGENTS_PER_SOURCE = 8_000;

/** The bench's first source address is 127.0.0.2 and 127.0.0.254 its last: 253 at most. */
export const MAX_SOURCE_ADDRESSES = 253;

/** The 19 source addresses the benches always used (127.0.0.2–.20); more only when N needs them. */
export const MIN_SOURCE_ADDRESSES = 19;

export interface SwarmSlot {
  /** Index of this swarm's first agent in the whole run. */
  first: number;
  size: number;
  /** Source addresses, rotated so agent `first + j` of the run dials from `all[(first + j) % all.length]`. */
  localAddresses: string[];
}

/** Source addresses 127.0.0.2… for `agents` simulated agents, at most `perAddress` on each. */
export function sourceAddresses(agents: number, perAddress = DEFAULT_AGENTS_PER_SOURCE): string[] {
  if (!Number.isInteger(perAddress) || perAddress < 1) {
    throw new Error(`agents per source address must be a positive whole number, got ${perAddress}`);
  }
  const count = Math.max(MIN_SOURCE_ADDRESSES, Math.ceil(agents / perAddress));
  if (count > MAX_SOURCE_ADDRESSES) {
    throw new Error(
      `${agents} agents at ${perAddress} per source address need ${count} addresses; 127.0.0.2–.254 has ${MAX_SOURCE_ADDRESSES}`,
    );
  }
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/** Swarm processes for N agents when not asked for: two from 2,000 agents on (the two cores), then one per 10,000. */
export function defaultSwarmProcesses(agents: number): number {
  return Math.max(agents >= 2000 ? 2 : 1, Math.ceil(agents / DEFAULT_AGENTS_PER_SWARM));
}

/**
 * Splits `agents` over `processes` swarms of nearly equal size (the first ones one smaller) and gives
 * each its rotated source addresses, so the whole run spreads evenly whatever the split.
 */
export function planSwarms(
  agents: number,
  processes: number,
  addresses: string[],
  maxPerProcess = DEFAULT_MAX_SOCKETS_PER_PROCESS,
): SwarmSlot[] {
  if (!Number.isInteger(processes) || processes < 1 || processes > agents) {
    throw new Error(`swarm processes must be 1–${agents} for ${agents} agents, got ${processes}`);
  }
  const largest = Math.ceil(agents / processes);
  if (largest > maxPerProcess) {
    throw new Error(
      `${processes} swarm process(es) for ${agents} agents hold ${largest} sockets each, over the ${maxPerProcess} a process may open here: use --swarm-processes ${Math.ceil(agents / maxPerProcess)} or more`,
    );
  }
  if (addresses.length === 0) throw new Error('no source addresses to dial from');
  const slots: SwarmSlot[] = [];
  let first = 0;
  for (let i = 0; i < processes; i++) {
    const size = Math.floor((agents + i) / processes);
    const shift = first % addresses.length;
    slots.push({ first, size, localAddresses: [...addresses.slice(shift), ...addresses.slice(0, shift)] });
    first += size;
  }
  return slots;
}

/**
 * Server processes a ceiling target needs for `connections`: each holds `socketsPerConnection` sockets
 * per agent (2 for a proxy: the client's and the upstream's) under `maxPerProcess`.
 */
export function serverProcessesFor(
  connections: number,
  socketsPerConnection: number,
  maxPerProcess = DEFAULT_MAX_SOCKETS_PER_PROCESS,
): number {
  return Math.max(1, Math.ceil((connections * socketsPerConnection) / maxPerProcess));
}
