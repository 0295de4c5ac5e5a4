import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AuditRecord {
  actor: string;
  address: string | null;
  action: string;
  target: string | null;
  outcome: 'success' | 'refused' | 'failed';
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditRecord {
  id: string;
  at: Date;
}

export interface AuditFilter {
  limit: number;
  before?: string;
  /** Actor, action or target containing this. */
  search?: string;
  actor?: string;
  /** Action containing this (a route such as `/api/rollouts`, or words such as `login`). */
  action?: string;
  outcome?: AuditRecord['outcome'];
  from?: Date;
  to?: Date;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: DataSource) {}

  async insert(r: AuditRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (actor, address, action, target, outcome, details) VALUES ($1, $2, $3, $4, $5, $6)`,
      [r.actor, r.address, r.action, r.target, r.outcome, JSON.stringify(r.details)],
    );
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT id, at, actor, address, action, target, outcome, details FROM audit_log
        WHERE ($1::bigint IS NULL OR id < $1)
          AND ($2::text IS NULL OR actor ILIKE '%' || $2 || '%' OR action ILIKE '%' || $2 || '%' OR target ILIKE '%' || $2 || '%')
          AND ($4::text IS NULL OR actor = $4)
          AND ($5::text IS NULL OR action ILIKE '%' || $5 || '%')
          AND ($6::text IS NULL OR outcome = $6)
          AND ($7::timestamptz IS NULL OR at >= $7)
          AND ($8::timestamptz IS NULL OR at < $8)
        ORDER BY id DESC LIMIT $3`,
      [
        filter.before ?? null,
        filter.search ?? null,
        filter.limit,
        filter.actor ?? null,
        filter.action ?? null,
        filter.outcome ?? null,
        filter.from ?? null,
        filter.to ?? null,
      ],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at as Date,
      actor: r.actor as string,
      address: r.address as string | null,
      action: r.action as string,
      target: r.target as string | null,
      outcome: r.outcome as AuditRecord['outcome'],
      details: r.details as Record<string, unknown>,
    }));
  }
}
