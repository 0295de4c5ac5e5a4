import { Inject, Injectable } from '@nestjs/common';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { LoginAttemptsRepository } from './login-attempts.repository.js';

const WINDOW_SECONDS = 60;

export type LoginGate =
  | {
      allowed: true;
      /** The password was right: the attempt leaves no trace in the counters. */
      succeeded(): Promise<void>;
      /** The password was wrong: the attempt stays as a failure for the window. */
      failed(): Promise<void>;
    }
  | { allowed: false; limit: 'address' | 'account'; retryAfterSeconds: number };

/**
 * Login rate limit per address and per account, in PostgreSQL so every node counts the same (ADR 11).
 *
 * - An address with `limit` failures in the last minute is refused, whatever the account.
 * - An account with `limit` failures in the last minute (from anywhere) is "under attack": then only
 *   addresses with a failure of their own in the window are refused. An address with a clean record
 *   still gets its password checked, so an attacker cannot lock the real admin out.
 *
 * The attempt is recorded before it is checked, so parallel attempts see each other.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    private readonly repo: LoginAttemptsRepository,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  async begin(username: string, address: string): Promise<LoginGate> {
    const limit = this.config.loginFailuresPerMinute;
    await this.repo.prune(WINDOW_SECONDS);
    const id = await this.repo.begin(username, address);
    const recent = await this.repo.recent(id, username, address, WINDOW_SECONDS);
    if (recent.byAddress >= limit) {
      const retryAfterSeconds = await this.repo.secondsUntilBelow(
        'address',
        address,
        id,
        limit,
        WINDOW_SECONDS,
      );
      await this.repo.forget(id);
      return { allowed: false, limit: 'address', retryAfterSeconds };
    }
    if (recent.byAccount >= limit && recent.byAddress > 0) {
      // Either this address's own failures age out, or the attack on the account calms down.
      const clean = await this.repo.secondsUntilBelow('address', address, id, 1, WINDOW_SECONDS);
      const calm = await this.repo.secondsUntilBelow('username', username, id, limit, WINDOW_SECONDS);
      await this.repo.forget(id);
      return { allowed: false, limit: 'account', retryAfterSeconds: Math.min(clean, calm) };
    }
    return {
      allowed: true,
      succeeded: () => this.repo.forget(id),
      failed: async () => undefined,
    };
  }
}
