import { createServer } from 'node:net';

// Why not "bind port 0 and close": the OS hands out ports from its ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 here), the same range every outgoing connection
// takes its local port from. Between the close and central's own listen, a PostgreSQL client or an agent
// in the other jest worker could take that port (CI saw `EADDRINUSE 127.0.0.1:43131`). Test ports therefore
// come from below the ephemeral range, and each jest worker has its own slice, so neither outgoing
// connections nor the other worker can hold the port we hand out.
const RANGE_START = 10_000;
const RANGE_END = 32_000;
const SLICES = 8;
const SLICE_SIZE = Math.floor((RANGE_END - RANGE_START) / SLICES);
const slice = Number(process.env.JEST_WORKER_ID ?? 0) % SLICES;
let cursor = Math.floor(Math.random() * SLICE_SIZE);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    // 0.0.0.0 conflicts with a listener on any local address, so the port is free everywhere.
    s.listen({ port, host: '0.0.0.0', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A TCP port that nothing listens on, taken from this jest worker's own slice below the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < SLICE_SIZE; tried++) {
    const port = RANGE_START + slice * SLICE_SIZE + (cursor++ % SLICE_SIZE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${RANGE_START + slice * SLICE_SIZE}+${SLICE_SIZE} for this jest worker`);
}

/** Distinct free ports (each call moves on, so two calls never hand out the same one). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
  );
}

/** Runs a wait; if it fails, adds what `explain` finds (state, logs) to the error, so CI says why. */
export async function explainOnTimeout<T>(
  wait: () => Promise<T>,
  explain: () => Promise<string>,
): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const details = await explain().catch((e: Error) => `(could not explain: ${e.message})`);
    (error as Error).message += `\n${details}`;
    throw error;
  }
}
