import { type DataSource } from 'typeorm';
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

const COLUMNS = `id, phase, chain_pem, key_encrypted, fingerprint_sha256, anchor_sha256, anchor_subject, not_after,
  from_certificate_id, from_anchor_sha256, from_anchor_subject, activated_certificate_id, trust_rollouts,
  cleanup_rollouts, steps, created_by, automatic, automatic_blocked, created_at, updated_at`;

// One advisory lock key for the automatic rotation's steps on every node (any fixed value).
const AUTOPILOT_LOCK = 7_263_931_301;

/** The `certificate_rotations` table (ADR 30). Works from a node and from certmgr alike. */
export class RotationRepository {
  constructor(private readonly db: Pick<DataSource, 'query'>) {}

  /** Inserts a staged rotation; undefined when another rotation is open (the unique index refused it). */
  async insert(r: NewRotation): Promise<string | undefined> {
    const rows = (await this.db.query(
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
    )) as Array<{ id: string }>;
    return rows[0]?.id;
  }

  async find(id: string): Promise<StoredRotation | undefined> {
    const [row] = (await this.db.query(`SELECT ${COLUMNS} FROM certificate_rotations WHERE id = $1`, [
      id,
    ])) as Array<Record<string, unknown>>;
    return row ? toStored(row) : undefined;
  }

  /** The rotation under way, if any. */
  async findOpen(): Promise<StoredRotation | undefined> {
    const [row] = (await this.db.query(
      `SELECT ${COLUMNS} FROM certificate_rotations
        WHERE phase IN ('staged', 'trust_published', 'activated')`,
    )) as Array<Record<string, unknown>>;
    return row ? toStored(row) : undefined;
  }

  /** The latest rotations, newest first. */
  async list(limit: number): Promise<StoredRotation[]> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM certificate_rotations ORDER BY created_at DESC LIMIT $1`,
      [limit],
    )) as Array<Record<string, unknown>>;
    return rows.map(toStored);
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
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        AUTOPILOT_LOCK,
      ])) as Array<{
        locked: boolean;
      }>;
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
   * (another operator, node or certmgr took a step meanwhile).
   */
  async transition(
    id: string,
    from: RotationPhase,
    to: RotationPhase,
    step: RotationStep,
    change: RotationChange = {},
  ): Promise<boolean> {
    const rows = (await this.db.query(
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
    )) as Array<{ id: string }>;
    return rows.length > 0;
  }
}

function toStored(r: Record<string, unknown>): StoredRotation {
  return {
    id: r.id as string,
    phase: r.phase as RotationPhase,
    chainPem: r.chain_pem as string,
    keyEncrypted: (r.key_encrypted as string | null) ?? null,
    fingerprintSha256: r.fingerprint_sha256 as string,
    anchor: { sha256: r.anchor_sha256 as string, subject: r.anchor_subject as string },
    notAfter: r.not_after as Date,
    fromCertificateId: (r.from_certificate_id as string | null) ?? null,
    fromAnchor: { sha256: r.from_anchor_sha256 as string, subject: r.from_anchor_subject as string },
    activatedCertificateId: (r.activated_certificate_id as string | null) ?? null,
    trustRollouts: r.trust_rollouts as RotationRollout[],
    cleanupRollouts: r.cleanup_rollouts as RotationRollout[],
    steps: r.steps as RotationStep[],
    createdBy: r.created_by as string,
    automatic: (r.automatic as 'acme' | null) ?? null,
    automaticBlocked: (r.automatic_blocked as AutomaticBlock | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
