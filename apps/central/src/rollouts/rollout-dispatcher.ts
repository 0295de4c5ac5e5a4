import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgentSessions } from '../agents/agent-sessions.js';
import { NodeIdentity } from '../cluster/node-identity.js';
import { DeliveryFrames } from './delivery-frames.js';
import { planDelivery } from './delivery-planner.js';
import { DeliveryMemory } from './delivery-memory.js';
import { DispatchPasses } from './dispatch-passes.js';
import { RolloutEntriesPresence } from './rollout-entries-presence.js';
import {
  RolloutDeliveriesRepository,
  type HeldAgentWork,
  type SentMark,
  type StateChange,
} from './rollout-deliveries.repository.js';
import { type DeliveryEntry } from './rollout.types.js';
import { ROLLOUTS_CONFIG, type RolloutsConfig } from './rollouts.config.js';

/**
 * Sends profile frames to the agents whose sessions this node holds (ADR 9: the holding node sends).
 * It works from the table, not from messages: what is due is read, marked as sent on this session,
 * then sent, so a restart or a reconnect simply finds the work again. Back-pressure: at most
 * `maxInFlight` deliveries under way per node, and no frame onto a socket whose buffer is full.
 *
 * What is due is read in chunks of up to READ_AHEAD × `maxInFlight` agents, in agent id order, and kept
 * for a while, so refilling the slots freed by a burst of answers costs no query. When a chunk runs out
 * the next one continues after it, and once one reaches the end the next starts from the first agent
 * again: each due agent is read once per cycle, and a read costs what it returns, not what is left to
 * do. A rollout that changed, or a chunk older than a few ticks, is read again from the first agent;
 * an agent that said hello or finished a publish step has its own work read alone. Each frame is still
 * marked against the entry's state and attempt, so a chunk that went out of date sends nothing wrong.
 */
@Injectable()
export class RolloutDispatcher {
  private readonly logger = new Logger('rollouts');
  /** Agents with a delivery under way from this node, and since when (ms). */
  private readonly inFlight = new Map<string, number>();
  private readonly passes = new DispatchPasses(
    () => this.pass(),
    (error) => this.logger.warn(`sending rollout frames: ${error.message}`),
  );
  private refillTimer: NodeJS.Timeout | undefined;
  /**
   * Due work read ahead, and when. `reread`: something changed, read again. `complete`: the last read
   * returned all that was due, so once it is used up there is nothing more until something changes.
   * `cursor`: the last agent of a read cut at the limit, where the next read continues (none: from the
   * first agent).
   */
  private due: HeldAgentWork[] = [];
  private dueReadAt = 0;
  private reread = true;
  private complete = false;
  private cursor: string | undefined;
  private rereadTimer: NodeJS.Timeout | undefined;
  /** Agents whose own work may have changed (a hello, a finished publish step): read for them alone. */
  private readonly touched = new Set<string>();
  private touchedReadAt = 0;
  private lostCheckedAt = 0;
  /** How long the last full read of due work took (ms): a costly read is kept longer (keepReadAheadMs). */
  private lastFullReadMs = 0;
  /**
   * The last full read was a first read cut at one slot-full (see dueWork): once its work is used up the
   * next pass reads ahead, slots free or not, and that read continues a read from the first agent, so
   * reaching the end there means all that is due was seen.
   */
  private firstReadCut = false;

  constructor(
    private readonly deliveries: RolloutDeliveriesRepository,
    private readonly sessions: AgentSessions,
    private readonly node: NodeIdentity,
    private readonly memory: DeliveryMemory,
    @Inject(ROLLOUTS_CONFIG) private readonly config: RolloutsConfig,
    private readonly entries: RolloutEntriesPresence,
  ) {}

  /**
   * Looks for due work soon; calls made while a pass runs fold into one more pass. `changed`: a rollout
   * changed, so work read ahead may be missing some (it is read again). `agentId`: only this agent's
   * work may have changed (it said hello, or finished a step of a publish): its work is read alone.
   */
  kick(options: { changed?: boolean; agentId?: string } = {}): void {
    if (this.passes.isStopped) return;
    if (options.changed) this.reread = true;
    if (options.agentId) this.touched.add(options.agentId);
    this.passes.kick();
  }

  /**
   * The agent finished a step (or its session ended): its slot is free again. Slots are refilled in
   * batches — a pass per freed slot would query the due work once per answer during a big push.
   */
  release(agentId: string): void {
    if (!this.inFlight.delete(agentId)) return;
    const batch = Math.max(1, Math.floor(this.config.maxInFlight / 10));
    if (this.config.maxInFlight - this.inFlight.size >= batch) this.kick();
    else this.refillSoon();
  }

  /** Refills the last slots shortly even when fewer than a batch are free (the end of a push). */
  private refillSoon(): void {
    if (this.refillTimer || this.passes.isStopped) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.kick();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.refillTimer);
    clearTimeout(this.rereadTimer);
    await this.passes.stop();
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  private async pass(): Promise<void> {
    // No rollout entry at all: nothing can be due. Reading the due work then still walked the node's online
    // agents about once a second (measured: one index probe per online agent, ADR 52). A rollout created
    // meanwhile makes `mayExist` true at once; the next tick sends its frames.
    if (!this.entries.mayExist()) return;
    this.forgetLost();
    const free = this.config.maxInFlight - this.inFlight.size;
    if (free <= 0 && !this.readsAheadNow()) return;
    const marks: SentMark[] = [];
    const upgrades: StateChange[] = [];
    const entries = new Map<string, DeliveryEntry>();
    const work = await this.dueWork();
    // Work for a socket that is still draining waits for a later pass; the rest is done or dropped.
    const draining: HeldAgentWork[] = [];
    let next = 0;
    for (; next < work.length && marks.length < free; next++) {
      const w = work[next]!;
      const session = this.sessions.session(w.agentId);
      if (!session?.open || session.id !== w.sessionId || this.inFlight.has(w.agentId)) continue;
      if (session.bufferedAmount > this.config.maxBufferedBytes) {
        draining.push(w);
        continue;
      }
      const plan = planDelivery(w.entries, session.id, w);
      if (!plan) continue;
      const e = plan.entry;
      if (plan.kind === 'needs_upgrade') {
        upgrades.push(changeOf(e, 'needs_upgrade', plan.reason));
        continue;
      }
      entries.set(e.agentId, e);
      marks.push({
        ...key(e),
        fromState: e.state,
        attempts: e.attempts,
        step: plan.step,
        sessionId: session.id,
      });
    }
    this.due = [...work.slice(next), ...draining];
    // More is due than fits now: come back when slots free up.
    if (next < work.length) this.passes.passAgain();
    if (upgrades.length > 0) await this.deliveries.change(upgrades);
    const refused: StateChange[] = [];
    const frames = new DeliveryFrames();
    for (const mark of await this.deliveries.markSent(marks)) {
      const entry = entries.get(mark.agentId);
      if (!entry) continue;
      const session = this.sessions.session(mark.agentId);
      if (!session?.open) continue;
      const checked = frames.frame(entry, mark.step);
      if (!checked.ok) {
        // A frame the agent would refuse is never sent: the entry fails with the reason, instead of
        // waiting for an answer that cannot come (or a refusal and a reconnect).
        refused.push(changeOf(entry, 'failed', checked.reason));
        continue;
      }
      // Before the frame goes out: the agent's answer is judged against it (DeliveryMemory).
      this.memory.remember(entry);
      if (!session.deliverChecked(checked)) {
        this.memory.forget(entry.rolloutId, entry.agentId);
        continue;
      }
      this.inFlight.set(mark.agentId, Date.now());
    }
    if (refused.length > 0) {
      this.logger.error(
        `not sending ${refused.length} rollout frame(s): ${[...new Set(refused.map((r) => r.reason))].join('; ')}`,
      );
      await this.deliveries.change(refused);
    }
    if (this.readsAheadNow()) this.passes.passAgain();
  }

  /** A first read cut at one slot-full was used up: the next pass reads ahead, slots free or not. */
  private readsAheadNow(): boolean {
    return this.firstReadCut && this.due.length === 0;
  }

  /**
   * The work read ahead, read again when it is older than a tick, or when it is used up and the reads
   * have not seen all that is due, or when a rollout changed; agents whose own work changed are read
   * alone. Reads asked for by changes are at least MIN_REREAD_MS apart, so a storm of hellos or answers
   * costs a few reads a second, not one each.
   *
   * Only a read made because the chunk was used up continues after the cursor. A reread for a change or
   * for age starts from the first agent: the chunk it replaces is dropped, and the agents of it not yet
   * served lie before the cursor, as may the work the change made due (a new wave, a new rollout); from
   * the cursor they would wait for the next cycle. It stays cheap: the LIMIT stops the walk, and the
   * first agents' entries are mostly done (out of the index) or under way (at most maxInFlight a node).
   */
  private async dueWork(): Promise<HeldAgentWork[]> {
    const now = Date.now();
    const age = now - this.dueReadAt;
    const usedUp = this.due.length === 0 && !this.complete;
    const limit = this.config.maxInFlight * READ_AHEAD;
    if (this.touched.size > limit) this.reread = true; // as cheap to read everything
    if (this.reread && age < MIN_REREAD_MS && !usedUp) this.rereadLater(MIN_REREAD_MS - age);
    else if (this.reread || usedUp || age > keepReadAheadMs(this.config.tickMs, this.lastFullReadMs)) {
      const after = this.reread || !usedUp ? undefined : this.cursor;
      // From the first agent with nothing under way and nothing read ahead: every frame of this node
      // waits for this read (a push's first). It reads one slot-full; the rest is read ahead in the pass
      // right after those frames went out, while their agents download (at 10,000 agents the first
      // frames left ~0.25 s sooner, docs/benchmarks.md). Only then: a cycle keeps its reads of `limit`.
      const first = after === undefined && this.inFlight.size === 0 && this.due.length === 0;
      const readLimit = first ? this.config.maxInFlight : limit;
      this.reread = false;
      this.touched.clear();
      this.dueReadAt = now;
      const started = performance.now();
      this.due = await this.deliveries.workOnNode(this.node.id, readLimit, { after });
      this.lastFullReadMs = performance.now() - started;
      // Cut at the limit: the next read continues after its last agent. Short: the end was reached, and
      // the next read starts from the first agent again, finding what became due behind the cursor. Only
      // a short read from the first agent (or right after a first read cut at one slot-full) saw all
      // that is due.
      const short = this.due.length < readLimit;
      this.complete = short && (after === undefined || this.firstReadCut);
      this.cursor = short ? undefined : this.due[this.due.length - 1]!.agentId;
      this.firstReadCut = first && !short;
      return this.due;
    }
    if (this.touched.size === 0) return this.due;
    if (now - this.touchedReadAt < MIN_REREAD_MS) {
      this.rereadLater(MIN_REREAD_MS - (now - this.touchedReadAt));
      return this.due;
    }
    const agentIds = [...this.touched];
    this.touched.clear();
    this.touchedReadAt = now;
    const fresh = await this.deliveries.workOnNode(this.node.id, limit, { agentIds });
    const ids = new Set(agentIds);
    this.due = [...fresh, ...this.due.filter((w) => !ids.has(w.agentId))];
    return this.due;
  }

  private rereadLater(ms: number): void {
    if (this.rereadTimer || this.passes.isStopped) return;
    this.rereadTimer = setTimeout(() => {
      this.rereadTimer = undefined;
      this.kick();
    }, ms);
    this.rereadTimer.unref();
  }

  /** Slots of sessions that ended or deliveries that went quiet for longer than any step may take. */
  private forgetLost(): void {
    // A session's end frees its slot already (release); this is the safety net, once a second is plenty.
    if (Date.now() - this.lostCheckedAt < 1000) return;
    this.lostCheckedAt = Date.now();
    const oldest = Date.now() - 10 * 60_000;
    for (const [agentId, since] of this.inFlight) {
      if (since < oldest || !this.sessions.holds(agentId)) this.inFlight.delete(agentId);
    }
  }
}

/**
 * Due work is read for this many times `maxInFlight` agents at once. A read costs about what it returns
 * (it continues after the previous one), so this mostly sets how many round trips a push takes.
 */
const READ_AHEAD = 4;
/**
 * Work read ahead is kept this many ticks when nothing said it changed. Every change that makes work
 * due kicks the dispatcher (a rollout moving, on any node, by NOTIFY; a hello; a finished publish step);
 * reading again after a while only covers a NOTIFY that never came.
 */
const KEEP_READ_AHEAD_TICKS = 5;
/** ...or this many times as long as the last full read took, so rereading costs at most ~4 % of one connection. */
const KEEP_PER_READ_MS = 25;
/** ...but never longer than this: the net for a lost NOTIFY still catches it within half a minute. */
const MAX_KEEP_READ_AHEAD_MS = 30_000;
/** How long a freed slot may wait for others before a pass refills it anyway. */
const REFILL_DELAY_MS = 25;
/** Reads of due work that something changed ask for are at least this far apart. */
const MIN_REREAD_MS = 100;

/**
 * How long work read ahead is kept when nothing said it changed: KEEP_READ_AHEAD_TICKS ticks, or longer
 * when a read costs much (before reads continued after each other, each walked every due entry of the
 * node: ~0.45 s per read at 50,000 agents on three workers, read again every 5 s), so that this safety
 * net stays a small share of the database.
 */
export function keepReadAheadMs(tickMs: number, lastFullReadMs: number): number {
  return Math.min(
    MAX_KEEP_READ_AHEAD_MS,
    Math.max(tickMs * KEEP_READ_AHEAD_TICKS, lastFullReadMs * KEEP_PER_READ_MS),
  );
}

const key = (e: DeliveryEntry) => ({ rolloutId: e.rolloutId, agentId: e.agentId });

/** The entry moves from the state and attempt it was read in to `state`, for `reason`. */
const changeOf = (e: DeliveryEntry, state: StateChange['state'], reason: string): StateChange => ({
  ...key(e),
  fromState: e.state,
  attempts: e.attempts,
  state,
  reason,
});
