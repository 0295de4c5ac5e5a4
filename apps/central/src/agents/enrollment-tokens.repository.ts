import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface EnrollmentTokenView {
  id: string;
  description: string;
  createdAt: Date;
  createdBy: string;
  expiresAt: Date;
  maxUses: number | null;
  uses: number;
  revokedAt: Date | null;
}

@Injectable()
export class EnrollmentTokensRepository {
  constructor(private readonly db: DataSource) {}

  async insert(t: {
    tokenHash: string;
    description: string;
    createdBy: string;
    expiresAt: Date;
    maxUses: number | null;
  }): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO enrollment_tokens (token_hash, description, created_by, expires_at, max_uses)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [t.tokenHash, t.description, t.createdBy, t.expiresAt, t.maxUses],
    );
    return (row as { id: string }).id;
  }

  /**
   * Uses the token up to `wanted` times if it is valid now and answers how many uses it granted (fewer
   * when `maxUses` runs out, 0 when unknown, expired or revoked). Atomic, so maxUses holds under races.
   */
  async consume(tokenHash: string, wanted = 1): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `WITH valid AS (
         SELECT id, LEAST($2::int, COALESCE(max_uses - uses, $2::int)) AS granted
           FROM enrollment_tokens
          WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
            AND (max_uses IS NULL OR uses < max_uses)
            FOR UPDATE)
       UPDATE enrollment_tokens t SET uses = t.uses + valid.granted
         FROM valid WHERE t.id = valid.id
       RETURNING valid.granted`,
      [tokenHash, wanted],
    );
    const updated = rows[0] as Array<{ granted: number }>;
    return updated[0]?.granted ?? 0;
  }

  async list(): Promise<EnrollmentTokenView[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, description, created_at, created_by, expires_at, max_uses, uses, revoked_at
         FROM enrollment_tokens ORDER BY created_at DESC`,
    );
    return rows.map((r) => ({
      id: r.id as string,
      description: r.description as string,
      createdAt: r.created_at as Date,
      createdBy: r.created_by as string,
      expiresAt: r.expires_at as Date,
      maxUses: r.max_uses as number | null,
      uses: r.uses as number,
      revokedAt: r.revoked_at as Date | null,
    }));
  }

  async revoke(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      'UPDATE enrollment_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
      [id],
    );
    return (rows[0] as unknown[]).length > 0;
  }
}
