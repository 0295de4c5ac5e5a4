import { readFileSync } from 'node:fs';

/** Descriptors kept for everything but agents: the admin API, the database pool, files, the LISTEN link. */
export const DESCRIPTOR_RESERVE_MIN = 512;
const RESERVE_FRACTION = 0.05;

/**
 * The open-files limit of this process (Node raises the soft limit to the hard one at start), read from
 * /proc/self/limits; undefined where that cannot be read or says "unlimited".
 */
export function openFilesLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

/**
 * How many agent connections this process may hold at once (ADR 26): the open-files limit minus a reserve,
 * so agents can never take the descriptors central needs to be managed. `configured` (an operator's
 * explicit number) wins; undefined means no limit could be found (no budget is enforced).
 */
export function agentConnectionBudget(
  configured: number | undefined,
  limit = openFilesLimit(),
): number | undefined {
  if (configured !== undefined) return configured;
  if (limit === undefined) return undefined;
  const reserve = Math.max(DESCRIPTOR_RESERVE_MIN, Math.ceil(limit * RESERVE_FRACTION));
  return Math.max(1, limit - reserve);
}

/**
 * Agent sockets open in this process across its listeners, against the budget. Past the budget a new
 * connection is answered 503 + Retry-After (cheap: no credential check, no database); past the budget plus
 * `slack` it is closed at once, before TLS, so even a flood cannot reach the limit.
 */
export class ConnectionBudget {
  private open = 0;
  readonly hardLimit: number | undefined;

  constructor(
    readonly budget: number | undefined,
    slack = 256,
  ) {
    this.hardLimit = budget === undefined ? undefined : budget + slack;
  }

  /** Counts a newly accepted socket until it closes; false when it must be closed at once. */
  admit(socket: { once(event: 'close', listener: () => void): unknown }): boolean {
    if (this.hardLimit !== undefined && this.open >= this.hardLimit) return false;
    this.open++;
    socket.once('close', () => this.open--);
    return true;
  }

  /** True when the sockets open now exceed the budget: new work on them is refused. */
  get exceeded(): boolean {
    return this.budget !== undefined && this.open > this.budget;
  }

  get openSockets(): number {
    return this.open;
  }
}
