import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CsrError } from '../../../../libs/pki/index.js';
import {
  CLIENT_CERT_IN_SESSION,
  type CertificateCsr,
  type CertificateOffer,
} from '../../../../libs/protocol/index.js';
import { type AgentSession } from '../agents/agent-session.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { type CertificateSessionHooks } from '../agents/certificate-session.hooks.js';
import { AuditService } from '../audit/audit.service.js';
import { offerReason } from './certificate-offer.policy.js';
import { type ClientAuthMode } from './client-certificate.check.js';
import { LocalCaRepository } from './local-ca.repository.js';
import { LocalCaService } from './local-ca.service.js';
import { OfferPacer } from './offer-pacer.js';
import { PeriodicTask } from '../common/periodic-task.js';

/** Exchanges open at once and offers sent per event-loop turn (see OfferPacer). */
const IN_FLIGHT = 100;
const BATCH = 50;
/**
 * CSRs being signed and recorded at once. Signing costs ~1 ms of CPU; the time goes into the two commits
 * (certificate, audit), which PostgreSQL flushes together when several are under way.
 */
const SIGNING_CONCURRENCY = 8;
/** An offer the agent does not answer within this time is dropped (its slot goes to the next agent). */
const OFFER_TIMEOUT_MS = 30_000;
/** Long-lived sessions whose certificate enters its last 30 days are found by this sweep. */
const SWEEP_EVERY_MS = 3_600_000;

interface OpenOffer {
  offerId: string;
  reason: CertificateOffer['reason'];
  timer: NodeJS.Timeout;
}

/**
 * Issues client certificates to agents over their current session, with no restart (ADR 0031): when
 * mutual TLS is switched on, and to renew a certificate in its last 30 days. Only agents that report
 * CLIENT_CERT_IN_SESSION are offered; others keep the CSR at the upgrade (ADR 0008). Each node offers to
 * its own sessions; the exchanges are paced so a whole fleet never signs at once.
 */
@Injectable()
export class InSessionCertificates implements CertificateSessionHooks, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('local-ca');
  private mode: ClientAuthMode = 'none';
  private readonly offers = new Map<string, OpenOffer>();
  private readonly pacer: OfferPacer<AgentSession>;
  private signing = 0;
  private readonly waitingToSign: Array<() => void> = [];
  private sweepTask: PeriodicTask | undefined;

  constructor(
    private readonly sessions: AgentSessions,
    private readonly localCa: LocalCaService,
    private readonly repo: LocalCaRepository,
    private readonly audit: AuditService,
  ) {
    this.pacer = new OfferPacer(
      { inFlight: IN_FLIGHT, batch: BATCH },
      (session) => session.id,
      (batch) => this.offerTo(batch),
      (error) => this.logger.warn(`cannot offer client certificates right now: ${error.message}`),
    );
  }

  onModuleInit(): void {
    this.sessions.useCertificateHooks(this);
    this.sweepTask = new PeriodicTask(SWEEP_EVERY_MS, () => this.sweep()).start();
  }

  onModuleDestroy(): void {
    void this.sweepTask?.stop();
    for (const offer of this.offers.values()) clearTimeout(offer.timer);
    this.offers.clear();
  }

  /** The listener applied `clientAuth` (on every node, on each settings change). */
  clientAuthChanged(mode: ClientAuthMode): void {
    const previous = this.mode;
    this.mode = mode;
    if (previous === 'none' && mode !== 'none') this.offerToConnected(`clientAuth is now ${mode}`);
  }

  /** Offers to every connected agent that needs a certificate (also run hourly, for renewals). */
  sweep(): void {
    if (this.mode !== 'none') this.offerToConnected('renewal sweep');
  }

  /** Resolves once every queued offer went out (tests). */
  idle(): Promise<void> {
    return this.pacer.idle();
  }

  onWelcomed(session: AgentSession): void {
    if (this.mode !== 'none' && capable(session)) this.pacer.add([session]);
  }

  onEnd(session: AgentSession): void {
    this.settle(session);
  }

  async onRequest(session: AgentSession, request: CertificateCsr): Promise<void> {
    const offer = this.offers.get(session.id);
    if (!offer || offer.offerId !== request.offerId) {
      this.logger.warn(
        `agent ${session.agentId} (${session.context.remoteAddress}) sent a CSR for offer ${request.offerId}, which is not open; ignored`,
      );
      return;
    }
    try {
      await this.whileSigning(() => this.issue(session, offer, request));
    } catch (error) {
      this.logger.error(`agent ${session.agentId}: cannot issue a certificate: ${(error as Error).message}`);
    } finally {
      this.settle(session);
    }
  }

  private offerToConnected(why: string): void {
    const capableSessions = [...this.sessions.openSessions()].filter(capable);
    if (capableSessions.length === 0) return;
    this.logger.log(
      `checking ${capableSessions.length} connected agent(s) for client certificates over their session (${why})`,
    );
    this.pacer.add(capableSessions);
  }

  /** One batch: a single query tells which of these agents need a certificate, then each gets an offer. */
  private async offerTo(batch: AgentSession[]): Promise<void> {
    const waiting = batch.filter((s) => s.open && !this.offers.has(s.id));
    if (waiting.length === 0 || this.mode === 'none') return;
    const standings = new Map(
      (await this.repo.standings(waiting.map((s) => s.agentId))).map((s) => [s.agentId, s]),
    );
    const now = new Date();
    for (const session of waiting) {
      const standing = standings.get(session.agentId);
      const reason = standing && offerReason(standing, now);
      if (!reason || !session.open) continue;
      const offerId = randomUUID();
      const timer = setTimeout(() => {
        this.logger.warn(`agent ${session.agentId} did not answer certificate offer ${offerId}; dropped`);
        this.settle(session);
      }, OFFER_TIMEOUT_MS);
      timer.unref();
      this.offers.set(session.id, { offerId, reason, timer });
      this.pacer.opened();
      session.deliver({ type: 'certificate.offer', offerId, reason });
    }
  }

  private async issue(session: AgentSession, offer: OpenOffer, request: CertificateCsr): Promise<void> {
    const agentId = session.agentId;
    // Checked again: a revocation or another issuance may have happened since the offer.
    const [standing] = await this.repo.standings([agentId]);
    const why = standing && offerReason(standing, new Date());
    if (!why || this.mode === 'none') {
      this.logger.warn(`agent ${agentId}: certificate offer ${offer.offerId} withdrawn (no longer due)`);
      return;
    }
    const actor = { username: `agent:${agentId}`, address: session.context.remoteAddress };
    const auditWhy = why === 'renewal' ? 'renewal' : 'first certificate';
    try {
      const issued = await this.localCa.issueAgentCertificate(agentId, request.csrPem);
      session.deliver({
        type: 'certificate.issued',
        offerId: offer.offerId,
        certificateChainPem: issued.chainPem,
      });
      await this.audit.record(actor, 'agent certificate', 'success', agentId, {
        why: auditWhy,
        inSession: true,
        serial: issued.serialNumber,
        notAfter: issued.notAfter.toISOString(),
      });
      this.logger.log(
        `issued certificate ${issued.serialNumber} to agent ${agentId} over its session (${auditWhy})`,
      );
    } catch (error) {
      if (!(error instanceof CsrError)) throw error;
      this.logger.warn(`agent ${agentId} (${actor.address}): certificate request refused: ${error.message}`);
      await this.audit.record(actor, 'agent certificate', 'refused', agentId, {
        why: auditWhy,
        inSession: true,
        reason: error.message,
      });
    }
  }

  private settle(session: AgentSession): void {
    const offer = this.offers.get(session.id);
    if (!offer) return;
    clearTimeout(offer.timer);
    this.offers.delete(session.id);
    this.pacer.closed();
  }

  private async whileSigning(work: () => Promise<void>): Promise<void> {
    if (this.signing >= SIGNING_CONCURRENCY) await new Promise<void>((r) => this.waitingToSign.push(r));
    else this.signing++;
    try {
      await work();
    } finally {
      // The slot passes to the next waiting CSR, if any, without being released in between.
      const next = this.waitingToSign.shift();
      if (next) next();
      else this.signing--;
    }
  }
}

function capable(session: AgentSession): boolean {
  return session.capabilities.includes(CLIENT_CERT_IN_SESSION);
}
