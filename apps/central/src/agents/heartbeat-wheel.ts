/** What a wheel beats: called about once per interval until removed. */
export interface Beating {
  beat(): void;
}

/** A slot at most this long: a member's beat comes within this of its interval. */
const MAX_SLOT_MS = 250;
const MAX_SLOTS = 64;

/**
 * One timer for the heartbeats of every session with the same interval (ADR 36), instead of a
 * `setInterval` per session: each idle session held a Timeout and its closure, and the timer list grew
 * with the fleet. Members are spread over slots by when they joined; each tick beats one slot, so the
 * pings of 10,000 sessions go out in small groups over the interval rather than all at once.
 */
export class HeartbeatWheel {
  private readonly slots: Set<Beating>[];
  private readonly slotOf = new Map<Beating, Set<Beating>>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly intervalMs: number) {
    if (!(intervalMs > 0)) throw new Error(`heartbeat interval must be > 0 ms, got ${intervalMs}`);
    const count = Math.min(MAX_SLOTS, Math.max(1, Math.ceil(intervalMs / MAX_SLOT_MS)));
    this.slots = Array.from({ length: count }, () => new Set<Beating>());
  }

  /** The member's first beat comes one interval from now (± a slot). */
  add(member: Beating): void {
    if (this.slotOf.has(member)) return;
    // The slot just beaten is the last one to come round again.
    const slot = this.slots[(this.cursor + this.slots.length - 1) % this.slots.length]!;
    slot.add(member);
    this.slotOf.set(member, slot);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs / this.slots.length).unref();
  }

  remove(member: Beating): void {
    const slot = this.slotOf.get(member);
    if (!slot) return;
    slot.delete(member);
    this.slotOf.delete(member);
    if (this.slotOf.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get size(): number {
    return this.slotOf.size;
  }

  private tick(): void {
    const slot = this.slots[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.slots.length;
    // A beat may remove its member (a lost agent is terminated): iterate over a copy.
    for (const member of [...slot]) {
      try {
        member.beat();
      } catch {
        // One member's failure must not cost the others their heartbeat; its socket's own errors end it.
      }
    }
  }
}

const wheels = new Map<number, HeartbeatWheel>();

/** The wheel of this process for an interval (sessions of one node share one; tests use short ones). */
export function heartbeatWheel(intervalMs: number): HeartbeatWheel {
  let wheel = wheels.get(intervalMs);
  if (!wheel) wheels.set(intervalMs, (wheel = new HeartbeatWheel(intervalMs)));
  return wheel;
}
