import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/typed-query.js';

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

/** An `audit_log` row; `id` is a bigint, which node-postgres gives as text. */
interface EntryRow {
  id: string;
  at: Date;
  actor: string;
  address: string | null;
  action: string;
  target: string | null;
  outcome: AuditRecord['outcome'];
  details: Record<string, unknown>;
}

/**
 * Serialises "record once" checks across nodes. The number certificate-expiry.ts used before this moved
 * here, so nodes of the previous and this version still take the same lock during a rolling upgrade.
 */
const RECORD_ONCE_LOCK = 7_736_202;

@Injectable()
export class AuditRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts `r` unless a record with the same action and target and the same `details[onceKey]` exists;
   * true when it inserted. Check and insert run under one advisory lock, so of several nodes noticing the
   * same thing at once exactly one writes.
   */
  async insertOnce(r: AuditRecord, onceKey: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RECORD_ONCE_LOCK]);
      const seen = await queryRows(
        tx,
        `SELECT 1 FROM audit_log WHERE action = $1 AND target IS NOT DISTINCT FROM $2 AND details->>$3 = $4 LIMIT 1`,
        [r.action, r.target, onceKey, String(r.details[onceKey])],
      );
      if (seen.length > 0) return false;
      await tx.query(
        `INSERT INTO audit_log (actor, address, action, target, outcome, details) VALUES ($1, $2, $3, $4, $5, $6)`,
        [r.actor, r.address, r.action, r.target, r.outcome, JSON.stringify(r.details)],
      );
      return true;
    });
  }

  async insert(r: AuditRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (actor, address, action, target, outcome, details) VALUES ($1, $2, $3, $4, $5, $6)`,
      [r.actor, r.address, r.action, r.target, r.outcome, JSON.stringify(r.details)],
    );
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const rows = await queryRows<EntryRow>(
      this.db,
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
      at: r.at,
      actor: r.actor,
      address: r.address,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      details: r.details,
    }));
  }
}
