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
  /** Set on a re-enroll token: the one agent it may enroll (again). */
  agentId: string | null;
  /** Only agent ids that start with this may enroll with the token. */
  agentIdPrefix: string | null;
  /** The group an agent enrolled with the token joins. */
  group: string | null;
}

/** What a token allows, read before it is used (ADR 25). */
export interface EnrollmentTokenScope {
  agentId: string | null;
  agentIdPrefix: string | null;
  group: string | null;
  /** Every use is taken (`maxUses`): only a retry (ADR 18) may still enroll with it. */
  usedUp: boolean;
}

export interface NewEnrollmentToken {
  tokenHash: string;
  description: string;
  createdBy: string;
  expiresAt: Date;
  maxUses: number | null;
  agentId?: string | null;
  agentIdPrefix?: string | null;
  group?: string | null;
}

/** A row of `enrollment_tokens` (without its hash), as Postgres answers it. */
interface TokenRow {
  id: string;
  description: string;
  created_at: Date;
  created_by: string;
  expires_at: Date;
  max_uses: number | null;
  uses: number;
  revoked_at: Date | null;
  agent_id: string | null;
  agent_id_prefix: string | null;
  agent_group: string | null;
}

@Injectable()
export class EnrollmentTokensRepository {
  constructor(private readonly db: DataSource) {}

  async insert(t: NewEnrollmentToken): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO enrollment_tokens (token_hash, description, created_by, expires_at, max_uses, agent_id, agent_id_prefix, agent_group)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        t.tokenHash,
        t.description,
        t.createdBy,
        t.expiresAt,
        t.maxUses,
        t.agentId ?? null,
        t.agentIdPrefix ?? null,
        t.group ?? null,
      ],
    );
    return (row as { id: string }).id;
  }

  /** The scope of a token that is valid now (known, not revoked, not expired); undefined otherwise. */
  async findValid(tokenHash: string): Promise<EnrollmentTokenScope | undefined> {
    const [row] = (await this.db.query(
      `SELECT agent_id, agent_id_prefix, agent_group, (max_uses IS NOT NULL AND uses >= max_uses) AS used_up
         FROM enrollment_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [tokenHash],
    )) as Array<Pick<TokenRow, 'agent_id' | 'agent_id_prefix' | 'agent_group'> & { used_up: boolean }>;
    if (!row) return undefined;
    return {
      agentId: row.agent_id,
      agentIdPrefix: row.agent_id_prefix,
      group: row.agent_group,
      usedUp: row.used_up,
    };
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
    const rows: TokenRow[] = await this.db.query(
      `SELECT id, description, created_at, created_by, expires_at, max_uses, uses, revoked_at,
              agent_id, agent_id_prefix, agent_group
         FROM enrollment_tokens ORDER BY created_at DESC`,
    );
    return rows.map((r) => ({
      id: r.id,
      description: r.description,
      createdAt: r.created_at,
      createdBy: r.created_by,
      expiresAt: r.expires_at,
      maxUses: r.max_uses,
      uses: r.uses,
      revokedAt: r.revoked_at,
      agentId: r.agent_id,
      agentIdPrefix: r.agent_id_prefix,
      group: r.agent_group,
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
