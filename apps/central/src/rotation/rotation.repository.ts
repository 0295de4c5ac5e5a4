import { type DataSource } from 'typeorm';
import { queryRow, queryRows, type Queryable } from '../database/typed-query.js';
import {
  type RotationAnchor,
  type RotationPhase,
  type RotationRollout,
  type RotationStep,
} from './rotation-phase.js';

/** One row of `certificate_rotations` (the sealed key is never read out of this module). */
export interface StoredRotation {
  id: string;
  phase: RotationPhase;
  chainPem: string;
  keyEncrypted: string | null;
  fingerprintSha256: string;
  anchor: RotationAnchor;
  notAfter: Date;
  fromCertificateId: string | null;
  fromAnchor: RotationAnchor;
  activatedCertificateId: string | null;
  trustRollouts: RotationRollout[];
  cleanupRollouts: RotationRollout[];
  steps: RotationStep[];
  createdBy: string;
  /** What drives it by itself (ADR 32): `acme` for a renewal with a new anchor; null for an operator's. */
  automatic: 'acme' | null;
  /** Why the automatic rotation stopped advancing (it warns instead of forcing); null while it goes. */
  automaticBlocked: AutomaticBlock | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AutomaticBlock {
  since: string;
  reason: string;
}

export type NewRotation = Pick<
  StoredRotation,
  | 'chainPem'
  | 'fingerprintSha256'
  | 'anchor'
  | 'notAfter'
  | 'fromCertificateId'
  | 'fromAnchor'
  | 'createdBy'
  | 'steps'
> & { keyEncrypted: string; automatic?: 'acme' };

/** What a step changes besides the phase. */
export interface RotationChange {
  keyEncrypted?: null;
  activatedCertificateId?: string;
  trustRollouts?: RotationRollout[];
  cleanupRollouts?: RotationRollout[];
}

/** A `certificate_rotations` row as COLUMNS selects it. */
interface RotationRow {
  id: string;
  phase: RotationPhase;
  chain_pem: string;
  key_encrypted: string | null;
  fingerprint_sha256: string;
  anchor_sha256: string;
  anchor_subject: string;
  not_after: Date;
  from_certificate_id: string | null;
  from_anchor_sha256: string;
  from_anchor_subject: string;
  activated_certificate_id: string | null;
  trust_rollouts: RotationRollout[];
  cleanup_rollouts: RotationRollout[];
  steps: RotationStep[];
  created_by: string;
  automatic: 'acme' | null;
  automatic_blocked: AutomaticBlock | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, phase, chain_pem, key_encrypted, fingerprint_sha256, anchor_sha256, anchor_subject, not_after,
  from_certificate_id, from_anchor_sha256, from_anchor_subject, activated_certificate_id, trust_rollouts,
  cleanup_rollouts, steps, created_by, automatic, automatic_blocked, created_at, updated_at`;

// One advisory lock key for the automatic rotation's steps on every node (any fixed value).
const AUTOPILOT_LOCK = 7_263_931_301;

/** The `certificate_rotations` table (ADR 30). Works from a node and from certmgr alike. */
export class RotationRepository {
  constructor(private readonly db: Queryable) {}

  /** Inserts a staged rotation; undefined when another rotation is open (the unique index refused it). */
  async insert(r: NewRotation): Promise<string | undefined> {
    const row = await queryRow<{ id: string }>(
      this.db,
      `INSERT INTO certificate_rotations (phase, chain_pem, key_encrypted, fingerprint_sha256, anchor_sha256,
         anchor_subject, not_after, from_certificate_id, from_anchor_sha256, from_anchor_subject, steps, created_by,
         automatic)
       VALUES ('staged', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        r.chainPem,
        r.keyEncrypted,
        r.fingerprintSha256,
        r.anchor.sha256,
        r.anchor.subject,
        r.notAfter,
        r.fromCertificateId,
        r.fromAnchor.sha256,
        r.fromAnchor.subject,
        JSON.stringify(r.steps),
        r.createdBy,
        r.automatic ?? null,
      ],
    );
    return row?.id;
  }

  async find(id: string): Promise<StoredRotation | undefined> {
    const row = await queryRow<RotationRow>(
      this.db,
      `SELECT ${COLUMNS} FROM certificate_rotations WHERE id = $1`,
      [id],
    );
    return row && toStored(row);
  }

  /** The rotation under way, if any. */
  async findOpen(): Promise<StoredRotation | undefined> {
    const row = await queryRow<RotationRow>(
      this.db,
      `SELECT ${COLUMNS} FROM certificate_rotations
        WHERE phase IN ('staged', 'trust_published', 'activated')`,
    );
    return row && toStored(row);
  }

  /** The latest rotations, newest first. */
  async list(limit: number): Promise<StoredRotation[]> {
    const rows = await queryRows<RotationRow>(
      this.db,
      `SELECT ${COLUMNS} FROM certificate_rotations ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toStored);
  }

  /** Open automatic rotations stopped by a halted rollout or a gate that cannot pass (ADR 32): 0 or 1. */
  async countAutomaticBlocked(): Promise<number> {
    const row = await queryRow<{ n: number }>(
      this.db,
      `SELECT count(*)::int AS n FROM certificate_rotations
        WHERE automatic_blocked IS NOT NULL AND phase IN ('staged', 'trust_published', 'activated')`,
    );
    return row?.n ?? 0;
  }

  /** Records why an automatic rotation stopped advancing (null: it goes again). */
  async setAutomaticBlocked(id: string, blocked: AutomaticBlock | null): Promise<void> {
    await this.db.query(
      `UPDATE certificate_rotations SET automatic_blocked = $2::jsonb, updated_at = now() WHERE id = $1`,
      [id, blocked ? JSON.stringify(blocked) : null],
    );
  }

  /**
   * Runs `work` while holding the cluster-wide lock of the automatic rotation, so one node takes its
   * steps at a time; undefined (nothing run) when another node holds it.
   */
  async withAutopilotLock<T>(db: DataSource, work: () => Promise<T>): Promise<T | undefined> {
    const runner = db.createQueryRunner();
    try {
      const row = await queryRow<{ locked: boolean }>(runner, 'SELECT pg_try_advisory_lock($1) AS locked', [
        AUTOPILOT_LOCK,
      ]);
      if (!row?.locked) return undefined;
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [AUTOPILOT_LOCK]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Moves a rotation from `from` to `to`, appending the step; false when it is no longer in `from`
   * (another operator, node or certmgr took a step meanwhile). The rows are counted, not TypeORM's
   * `[rows, rowCount]` pair for an UPDATE (which read as a success whatever happened).
   */
  async transition(
    id: string,
    from: RotationPhase,
    to: RotationPhase,
    step: RotationStep,
    change: RotationChange = {},
  ): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      `UPDATE certificate_rotations
          SET phase = $3, steps = steps || $4::jsonb, updated_at = now(),
              key_encrypted = CASE WHEN $5 THEN NULL ELSE key_encrypted END,
              activated_certificate_id = coalesce($6, activated_certificate_id),
              trust_rollouts = coalesce($7::jsonb, trust_rollouts),
              cleanup_rollouts = coalesce($8::jsonb, cleanup_rollouts)
        WHERE id = $1 AND phase = $2
        RETURNING id`,
      [
        id,
        from,
        to,
        JSON.stringify([step]),
        change.keyEncrypted === null,
        change.activatedCertificateId ?? null,
        change.trustRollouts ? JSON.stringify(change.trustRollouts) : null,
        change.cleanupRollouts ? JSON.stringify(change.cleanupRollouts) : null,
      ],
    );
    return rows.length > 0;
  }
}

function toStored(r: RotationRow): StoredRotation {
  return {
    id: r.id,
    phase: r.phase,
    chainPem: r.chain_pem,
    keyEncrypted: r.key_encrypted,
    fingerprintSha256: r.fingerprint_sha256,
    anchor: { sha256: r.anchor_sha256, subject: r.anchor_subject },
    notAfter: r.not_after,
    fromCertificateId: r.from_certificate_id,
    fromAnchor: { sha256: r.from_anchor_sha256, subject: r.from_anchor_subject },
    activatedCertificateId: r.activated_certificate_id,
    trustRollouts: r.trust_rollouts,
    cleanupRollouts: r.cleanup_rollouts,
    steps: r.steps,
    createdBy: r.created_by,
    automatic: r.automatic,
    automaticBlocked: r.automatic_blocked,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
