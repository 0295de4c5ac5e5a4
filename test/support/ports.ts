import { freePort } from '../../apps/central/src/common/free-port.js';

export { freePort };

/** Distinct free ports (retries so two calls never collide). */
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
