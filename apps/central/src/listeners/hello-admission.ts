export interface AdmissionLimits {
  /** Upgrades and hellos in progress at once (from the upgrade request to the welcome). */
  inProgress: number;
  /** Upgrades waiting for a place; more are refused at once. */
  waiting: number;
  /** A waiting upgrade is refused after this long: the agent comes back after Retry-After instead. */
  maxWaitMs: number;
}

/** Held from an upgrade request until its welcome (or until its socket closes); releasing twice is harmless. */
export interface AdmissionPermit {
  release(): void;
}

interface Waiter {
  grant: (permit: AdmissionPermit | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * Admission control in front of the work of a connection (ADR 26): at most `inProgress` upgrades and
 * hellos at once, a short bounded queue behind them, and a quick refusal for the rest. After a restart
 * the whole fleet dials back at once; without this, every upgrade started its database work together
 * and most of it timed out in the pool queue and was thrown away.
 */
export class HelloAdmission {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly limits: AdmissionLimits) {
    if (!Number.isInteger(limits.inProgress) || limits.inProgress < 1)
      throw new Error(`hello admission: inProgress must be a whole number ≥ 1, got ${limits.inProgress}`);
  }

  /** A permit, or undefined when central is too busy (the caller answers 503 with Retry-After). */
  enter(): Promise<AdmissionPermit | undefined> {
    if (this.active < this.limits.inProgress) {
      this.active++;
      return Promise.resolve(this.permit());
    }
    if (this.queue.length >= this.limits.waiting) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          resolve(undefined);
        }, this.limits.maxWaitMs),
      };
      this.queue.push(waiter);
    });
  }

  get inProgress(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  private permit(): AdmissionPermit {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.queue.shift();
        if (!next) {
          this.active--;
          return;
        }
        clearTimeout(next.timer);
        next.grant(this.permit()); // the place passes on: `active` stays the same
      },
    };
  }
}

/**
 * Seconds an agent is asked to wait before it tries again (`Retry-After`), spread over [min, max] so the
 * refused agents do not come back together.
 */
export function retryAfterSeconds(min: number, max: number, random: () => number = Math.random): number {
  return min + Math.floor(random() * (max - min + 1));
}
