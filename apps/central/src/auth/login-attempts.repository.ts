import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Failures (and attempts still being checked) inside the window, not counting one's own attempt. */
export interface RecentFailures {
  byAddress: number;
  byAccount: number;
}

/** `login_attempts`: one row per failed or running attempt, counted in a sliding window (ADR 11). */
@Injectable()
export class LoginAttemptsRepository {
  constructor(private readonly db: DataSource) {}

  /** Reserves a row for a running attempt: it counts as a failure until it is resolved. */
  async begin(username: string, address: string): Promise<string> {
    const [row] = await this.db.query(
      'INSERT INTO login_attempts (username, address) VALUES ($1, $2) RETURNING id',
      [username, address],
    );
    return String((row as { id: string | number }).id);
  }

  async recent(
    own: string,
    username: string,
    address: string,
    windowSeconds: number,
  ): Promise<RecentFailures> {
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE address = $2)::int AS by_address,
              count(*) FILTER (WHERE username = $3)::int AS by_account
         FROM login_attempts
        WHERE id <> $1 AND (address = $2 OR username = $3) AND at > now() - make_interval(secs => $4)`,
      [own, address, username, windowSeconds],
    );
    const r = row as { by_address: number; by_account: number };
    return { byAddress: r.by_address, byAccount: r.by_account };
  }

  /**
   * Seconds until fewer than `limit` failures of `column = value` remain in the window: when the
   * (count − limit + 1)-th oldest leaves it. `limit` 1 means "until the newest leaves".
   */
  async secondsUntilBelow(
    column: 'address' | 'username',
    value: string,
    own: string,
    limit: number,
    windowSeconds: number,
  ): Promise<number> {
    const [row] = await this.db.query(
      `WITH w AS (
         SELECT at FROM login_attempts
          WHERE ${column} = $1 AND id <> $2 AND at > now() - make_interval(secs => $3))
       SELECT ceil(extract(epoch FROM (at + make_interval(secs => $3) - now())))::int AS s
         FROM w ORDER BY at ASC OFFSET greatest((SELECT count(*) FROM w) - $4, 0) LIMIT 1`,
      [value, own, windowSeconds, limit],
    );
    return Math.max(1, (row as { s: number } | undefined)?.s ?? 1);
  }

  /** A refused or successful attempt leaves no failure behind. */
  async forget(id: string): Promise<void> {
    await this.db.query('DELETE FROM login_attempts WHERE id = $1', [id]);
  }

  async prune(windowSeconds: number): Promise<void> {
    await this.db.query('DELETE FROM login_attempts WHERE at <= now() - make_interval(secs => $1)', [
      windowSeconds,
    ]);
  }
}
