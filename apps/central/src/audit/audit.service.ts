import { Injectable, Logger } from '@nestjs/common';
import { type Actor } from '../common/request-context.js';
import { AuditRepository, type AuditEntry, type AuditFilter, type AuditRecord } from './audit.repository.js';
import { describeAuditAction } from './audit-action-words.js';
import { requestAudit } from './request-audit.context.js';

/** Keys whose values never reach the audit log, whatever a caller passes in. */
const SECRET_KEYS = /pass(word)?|secret|token|credential|key|cookie|authorization/i;

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');

  constructor(private readonly repo: AuditRepository) {}

  /** Records who did what, from where; the time is the database's UTC now(). */
  async record(
    actor: Pick<Actor, 'username' | 'address'> | 'system',
    action: string,
    outcome: AuditRecord['outcome'],
    target: string | null = null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const who = actor === 'system' ? { username: 'system', address: null } : actor;
    const request = requestAudit.getStore();
    if (request) request.recorded = true;
    try {
      await this.repo.insert({
        actor: who.username,
        address: who.address,
        action,
        target,
        outcome,
        details: redactSecrets(details) as Record<string, unknown>,
      });
    } catch (error) {
      // An audit failure must be loud, but it must not turn a done change into a reported failure.
      this.logger.error(`cannot write audit record for ${action}: ${(error as Error).message}`);
    }
  }

  /**
   * Records a system event once for the whole cluster: nothing when a record with the same action,
   * target and `details[onceKey]` is there already (e.g. one certificate expiry warning per threshold).
   * True when this call wrote it. Unlike record(), a failure throws: the caller's periodic check logs it
   * and tries again on its next round.
   */
  async recordOnce(
    action: string,
    target: string | null,
    details: Record<string, unknown>,
    onceKey: string,
  ): Promise<boolean> {
    return this.repo.insertOnce(
      {
        actor: 'system',
        address: null,
        action,
        target,
        outcome: 'success',
        details: redactSecrets(details) as Record<string, unknown>,
      },
      onceKey,
    );
  }

  /** Newest first, each with `summary`: the action in the operator's words. */
  async list(filter: AuditFilter): Promise<Array<AuditEntry & { summary: string }>> {
    return (await this.repo.list(filter)).map((e) => ({
      ...e,
      summary: describeAuditAction(e.action, e.target),
    }));
  }

  /**
   * Records the generic route entry for an API write, unless the code that handled it already recorded
   * the action in its own words: one action, one line.
   */
  async recordRoute(
    request: { recorded: boolean },
    ...args: Parameters<AuditService['record']>
  ): Promise<void> {
    if (!request.recorded) await this.record(...args);
  }
}
