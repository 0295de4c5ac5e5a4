/**
 * The swarm's agents coming back after central went away (a restart storm), and what they met on the way
 * since the mark: the figures of the `welcomes` reply.
 */
import { Semaphore } from './semaphore.js';
import { type AttemptResult, type SimAgent } from './swarm-agent.js';
import { count, DEFAULT_RECONNECT_CONCURRENCY, type SwarmConfig, type SwarmReply } from './swarm-protocol.js';

export type ReconnectFigures = Pick<
  Extract<SwarmReply, { type: 'welcomes' }>,
  'failuresBeforeReady' | 'failuresAfterReady' | 'failedAfterReadyAtMs' | 'reconnectLatenciesMs' | 'closes'
>;

const noFigures = (): ReconnectFigures => ({
  failuresBeforeReady: {},
  failuresAfterReady: {},
  failedAfterReadyAtMs: [],
  reconnectLatenciesMs: [],
  closes: {},
});

export class SwarmReconnects {
  armed = false;
  /**
   * `failedAfterReadyAtMs` (ms after central's ready line) shows whether refusals cluster;
   * `reconnectLatenciesMs` (attempt start → welcome) shows central's queueing under the storm.
   */
  sinceMark: ReconnectFigures = noFigures();
  private centralReadyAt: number | undefined;
  private semaphore: Semaphore | undefined;

  /** Functions, not values: a later `configure` or `retarget` applies to the attempts still to come. */
  constructor(
    private readonly config: () => SwarmConfig | undefined,
    private readonly attempt: (agent: SimAgent) => Promise<AttemptResult>,
  ) {}

  arm(reconnect: boolean, agents: SimAgent[]): void {
    this.armed = reconnect;
    if (!reconnect) for (const agent of agents) clearTimeout(agent.retry);
    else for (const agent of agents) if (!agent.socket && !agent.retry) this.schedule(agent);
  }

  mark(): void {
    this.centralReadyAt = undefined;
    this.sinceMark = noFigures();
  }

  /** When the restarted central said it was ready (epoch ms): failures are split at that moment. */
  centralReady(at: number): void {
    this.centralReadyAt = at;
  }

  /** Central (or the network) closed a welcomed connection: the agent comes back as it would. */
  lost(agent: SimAgent, code: number): void {
    count(this.sinceMark.closes, String(code));
    if (this.armed) this.schedule(agent);
  }

  /** Reconnection attempts in flight in this swarm (SwarmConfig.reconnectConcurrency). */
  private slots(): Semaphore {
    return (this.semaphore ??= new Semaphore(
      this.config()?.reconnectConcurrency ?? DEFAULT_RECONNECT_CONCURRENCY,
    ));
  }

  /** Capped exponential backoff with full jitter: a central restart must not cause a synchronized storm. */
  private schedule(agent: SimAgent, retryAfterMs?: number): void {
    const { baseMs, capMs } = this.config()!.backoff;
    const delay =
      retryAfterMs !== undefined
        ? retryAfterMs + Math.random() * (retryAfterMs / 2 + 250)
        : Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(agent.failures, 20));
    clearTimeout(agent.retry);
    agent.retry = setTimeout(() => {
      agent.retry = undefined;
      if (!this.armed || agent.socket) return;
      void this.slots()
        .acquire()
        .then(async (release) => {
          // The wait for a slot counts in the agent's time back (welcomedSinceMark): conservative for central.
          const result = await (this.armed && !agent.socket
            ? this.attempt(agent)
            : Promise.resolve<AttemptResult | undefined>(undefined));
          release();
          return result;
        })
        .then((result) => {
          if (!result) return;
          if (result.ok) {
            this.sinceMark.reconnectLatenciesMs.push(result.latencyMs);
            return;
          }
          const readyAt = this.centralReadyAt;
          const afterReady = readyAt !== undefined && Date.now() >= readyAt;
          count(
            afterReady ? this.sinceMark.failuresAfterReady : this.sinceMark.failuresBeforeReady,
            result.reason,
          );
          if (afterReady && this.sinceMark.failedAfterReadyAtMs.length < 10_000)
            this.sinceMark.failedAfterReadyAtMs.push(Date.now() - readyAt);
          if (result.retryAfterMs === undefined) agent.failures++;
          if (this.armed) this.schedule(agent, result.retryAfterMs);
        });
    }, delay);
  }
}
