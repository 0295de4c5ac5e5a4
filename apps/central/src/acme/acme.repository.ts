import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRow, queryRows } from '../database/typed-query.js';

export interface AcmeAccountRow {
  keyEncrypted: string;
  accountUrl: string | null;
}

/**
 * `held`: the CA issued a certificate that would strand agents; it waits for an operator's approval.
 * `rotating`: such a certificate is being rotated in by an automatic rotation (`newAnchor: rotate`, ADR 32).
 */
export type AcmeOrderStatus = 'processing' | 'valid' | 'failed' | 'held' | 'rotating';

/** What to do with a certificate whose chain ends at an anchor known agents do not trust (ADR 32). */
export type NewAnchorPolicy = 'rotate' | 'hold';

export interface AcmeOrderRow {
  id: string;
  fqdn: string;
  directoryUrl: string;
  directoryCaPem: string | null;
  contact: string;
  renewDaysBefore: number;
  newAnchor: NewAnchorPolicy;
  /** The automatic rotation that rotates (or rotated) this order's certificate in. */
  rotationId: string | null;
  reason: 'requested' | 'renewal';
  requestedBy: string;
  status: AcmeOrderStatus;
  progress: string;
  error: string | null;
  errorDetail: string | null;
  certificateFingerprintSha256: string | null;
  certificateNotAfter: Date | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type NewAcmeOrder = Pick<
  AcmeOrderRow,
  | 'fqdn'
  | 'directoryUrl'
  | 'directoryCaPem'
  | 'contact'
  | 'renewDaysBefore'
  | 'newAnchor'
  | 'reason'
  | 'requestedBy'
>;

/** Held while one order or renewal runs; at most one in the whole cluster. */
export interface AcmeLock {
  release(): Promise<void>;
}

// One advisory lock key for every ACME order on every node (pg's bigint key space; any fixed value).
const ACME_LOCK = 7_263_931_300;

/** An `acme_orders` row as ORDER_COLUMNS selects it. */
interface OrderRow {
  id: string;
  fqdn: string;
  directory_url: string;
  directory_ca_pem: string | null;
  contact: string;
  renew_days_before: number;
  new_anchor: NewAnchorPolicy;
  rotation_id: string | null;
  reason: AcmeOrderRow['reason'];
  requested_by: string;
  status: AcmeOrderStatus;
  progress: string;
  error: string | null;
  error_detail: string | null;
  certificate_fingerprint_sha256: string | null;
  certificate_not_after: Date | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const ORDER_COLUMNS = `id, fqdn, directory_url, directory_ca_pem, contact, renew_days_before, new_anchor, rotation_id,
  reason, requested_by,
  status, progress, error, error_detail, certificate_fingerprint_sha256, certificate_not_after,
  created_at, updated_at, finished_at`;

@Injectable()
export class AcmeRepository {
  constructor(private readonly db: DataSource) {}

  /** Takes the cluster-wide ACME lock on a connection of its own, or answers undefined if another holds it. */
  async tryLock(): Promise<AcmeLock | undefined> {
    const runner = this.db.createQueryRunner();
    try {
      const row = await queryRow<{ locked: boolean }>(runner, 'SELECT pg_try_advisory_lock($1) AS locked', [
        ACME_LOCK,
      ]);
      if (row?.locked) {
        return {
          release: async () => {
            await runner.query('SELECT pg_advisory_unlock($1)', [ACME_LOCK]).catch(() => undefined);
            await runner.release();
          },
        };
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    await runner.release();
    return undefined;
  }

  async findAccount(directoryUrl: string, contact: string): Promise<AcmeAccountRow | undefined> {
    const row = await queryRow<{ key_encrypted: string; account_url: string | null }>(
      this.db,
      'SELECT key_encrypted, account_url FROM acme_accounts WHERE directory_url = $1 AND contact = $2',
      [directoryUrl, contact],
    );
    return row && { keyEncrypted: row.key_encrypted, accountUrl: row.account_url };
  }

  async saveAccount(a: { directoryUrl: string; contact: string; keyEncrypted: string; accountUrl: string }) {
    await this.db.query(
      `INSERT INTO acme_accounts (directory_url, contact, key_encrypted, account_url) VALUES ($1, $2, $3, $4)
       ON CONFLICT (directory_url, contact) DO UPDATE SET key_encrypted = $3, account_url = $4`,
      [a.directoryUrl, a.contact, a.keyEncrypted, a.accountUrl],
    );
  }

  async createOrder(o: NewAcmeOrder): Promise<AcmeOrderRow> {
    const row = await queryRow<OrderRow>(
      this.db,
      `INSERT INTO acme_orders (fqdn, directory_url, directory_ca_pem, contact, renew_days_before, reason,
         requested_by, status, progress, new_anchor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'processing', 'waiting to start', $8) RETURNING ${ORDER_COLUMNS}`,
      [
        o.fqdn,
        o.directoryUrl,
        o.directoryCaPem,
        o.contact,
        o.renewDaysBefore,
        o.reason,
        o.requestedBy,
        o.newAnchor,
      ],
    );
    return toOrder(row!);
  }

  async setProgress(id: string, progress: string): Promise<void> {
    await this.db.query(`UPDATE acme_orders SET progress = $2, updated_at = now() WHERE id = $1`, [
      id,
      progress,
    ]);
  }

  async markValid(id: string, certificate: { fingerprintSha256: string; notAfter: Date }): Promise<void> {
    await this.db.query(
      `UPDATE acme_orders SET status = 'valid', progress = 'installed', certificate_fingerprint_sha256 = $2,
         certificate_not_after = $3, held_chain_pem = NULL, held_key_encrypted = NULL, error = NULL,
         error_detail = NULL, updated_at = now(), finished_at = now() WHERE id = $1`,
      [id, certificate.fingerprintSha256, certificate.notAfter],
    );
  }

  async markFailed(id: string, error: string, detail: string): Promise<void> {
    await this.db.query(
      `UPDATE acme_orders SET status = 'failed', error = $2, error_detail = $3, updated_at = now(),
         finished_at = now() WHERE id = $1`,
      [id, error, detail],
    );
  }

  /**
   * The issued certificate would strand agents (ADR 24): the order waits for approval with the chain
   * and its key (sealed like the server key); `error` names the agents.
   */
  async markHeld(
    id: string,
    held: { chainPem: string; keyEncrypted: string; reason: string },
  ): Promise<void> {
    await this.db.query(
      `UPDATE acme_orders SET status = 'held', progress = 'waiting for approval', error = $2,
         error_detail = 'approve with POST /api/certificates/acme/renewal/approve, or publish the new anchor to the agents first',
         held_chain_pem = $3, held_key_encrypted = $4, updated_at = now(), finished_at = now() WHERE id = $1`,
      [id, held.reason, held.chainPem, held.keyEncrypted],
    );
  }

  /**
   * The issued certificate is being rotated in by automatic rotation `rotationId` (ADR 32). The chain
   * and sealed key are kept as for `held`: an aborted rotation falls back to a held order.
   */
  async markRotating(
    id: string,
    r: {
      rotationId: string;
      chainPem: string;
      keyEncrypted: string;
      fingerprintSha256: string;
      notAfter: Date;
      reason: string;
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE acme_orders SET status = 'rotating', progress = 'rotating in (automatic rotation)', rotation_id = $2,
         held_chain_pem = $3, held_key_encrypted = $4, certificate_fingerprint_sha256 = $5,
         certificate_not_after = $6, error = $7, error_detail = NULL, updated_at = now(), finished_at = now()
       WHERE id = $1`,
      [id, r.rotationId, r.chainPem, r.keyEncrypted, r.fingerprintSha256, r.notAfter, r.reason],
    );
  }

  /** Orders whose certificate an automatic rotation is rotating in. */
  async findRotating(): Promise<AcmeOrderRow[]> {
    const rows = await queryRows<OrderRow>(
      this.db,
      `SELECT ${ORDER_COLUMNS} FROM acme_orders WHERE status = 'rotating' ORDER BY finished_at`,
    );
    return rows.map(toOrder);
  }

  /** The automatic rotation was aborted: the order waits for approval with the certificate it kept. */
  async rotationAborted(id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE acme_orders SET status = 'held', progress = 'waiting for approval', error = $2,
         error_detail = 'approve with POST /api/certificates/acme/renewal/approve, or order again',
         certificate_fingerprint_sha256 = NULL, certificate_not_after = NULL, updated_at = now()
       WHERE id = $1 AND status = 'rotating'`,
      [id, reason],
    );
  }

  /** Changes what renewals of this order do with a new anchor; false when there is no such order. */
  async setNewAnchor(id: string, newAnchor: NewAnchorPolicy): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      `UPDATE acme_orders SET new_anchor = $2, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, newAnchor],
    );
    return rows.length > 0;
  }

  /** The newest held order with its certificate, if one waits for approval. */
  async findHeld(): Promise<(AcmeOrderRow & { chainPem: string; keyEncrypted: string }) | undefined> {
    const row = await queryRow<OrderRow & { held_chain_pem: string; held_key_encrypted: string }>(
      this.db,
      `SELECT ${ORDER_COLUMNS}, held_chain_pem, held_key_encrypted FROM acme_orders WHERE status = 'held'
        ORDER BY finished_at DESC LIMIT 1`,
    );
    return row && { ...toOrder(row), chainPem: row.held_chain_pem, keyEncrypted: row.held_key_encrypted };
  }

  /** Held orders go when approved (valid) or when a newer order starts (failed, superseded); keys are dropped. */
  async supersedeHeld(): Promise<number> {
    const rows = await queryRows(
      this.db,
      `UPDATE acme_orders SET status = 'failed', error = 'superseded by a newer ACME order', held_chain_pem = NULL,
         held_key_encrypted = NULL, updated_at = now() WHERE status = 'held' RETURNING id`,
    );
    return rows.length;
  }

  async countHeld(): Promise<number> {
    const row = await queryRow<{ n: number }>(
      this.db,
      `SELECT count(*)::int AS n FROM acme_orders WHERE status = 'held'`,
    );
    return row?.n ?? 0;
  }

  /**
   * Orders left "processing" by a node that stopped mid-way; call only while holding the lock. Counts
   * the rows, not TypeORM's `[rows, rowCount]` pair (which read as 2 whatever was marked).
   */
  async failInterrupted(): Promise<number> {
    const rows = await queryRows(
      this.db,
      `UPDATE acme_orders SET status = 'failed', error = 'interrupted: the central node running it stopped',
         updated_at = now(), finished_at = now() WHERE status = 'processing' RETURNING id`,
    );
    return rows.length;
  }

  async getOrder(id: string): Promise<AcmeOrderRow | undefined> {
    const row = await queryRow<OrderRow>(this.db, `SELECT ${ORDER_COLUMNS} FROM acme_orders WHERE id = $1`, [
      id,
    ]);
    return row && toOrder(row);
  }

  async listOrders(limit: number): Promise<AcmeOrderRow[]> {
    const rows = await queryRows<OrderRow>(
      this.db,
      `SELECT ${ORDER_COLUMNS} FROM acme_orders ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toOrder);
  }

  /** The order that produced a certificate: it holds what renewing that certificate needs. */
  async findOrderOfCertificate(fingerprintSha256: string): Promise<AcmeOrderRow | undefined> {
    const row = await queryRow<OrderRow>(
      this.db,
      `SELECT ${ORDER_COLUMNS} FROM acme_orders
        WHERE status IN ('valid', 'rotating') AND certificate_fingerprint_sha256 = $1
       ORDER BY finished_at DESC LIMIT 1`,
      [fingerprintSha256],
    );
    return row && toOrder(row);
  }

  async putChallenge(token: string, keyAuthorization: string, orderId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO acme_challenges (token, key_authorization, order_id) VALUES ($1, $2, $3)
       ON CONFLICT (token) DO UPDATE SET key_authorization = $2, order_id = $3`,
      [token, keyAuthorization, orderId],
    );
  }

  async keyAuthorization(token: string): Promise<string | undefined> {
    const row = await queryRow<{ key_authorization: string }>(
      this.db,
      'SELECT key_authorization FROM acme_challenges WHERE token = $1',
      [token],
    );
    return row?.key_authorization;
  }

  async deleteChallenges(orderId: string): Promise<void> {
    await this.db.query('DELETE FROM acme_challenges WHERE order_id = $1', [orderId]);
  }
}

function toOrder(r: OrderRow): AcmeOrderRow {
  return {
    id: r.id,
    fqdn: r.fqdn,
    directoryUrl: r.directory_url,
    directoryCaPem: r.directory_ca_pem,
    contact: r.contact,
    renewDaysBefore: r.renew_days_before,
    newAnchor: r.new_anchor,
    rotationId: r.rotation_id,
    reason: r.reason,
    requestedBy: r.requested_by,
    status: r.status,
    progress: r.progress,
    error: r.error,
    errorDetail: r.error_detail,
    certificateFingerprintSha256: r.certificate_fingerprint_sha256,
    certificateNotAfter: r.certificate_not_after,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}
