import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { CertificatesService, type ServerIdentity } from '../certificates/certificates.service.js';
import { DomainError } from '../common/domain-error.js';
import { HeldForApprovalError } from './acme-hold.js';
import { AcmeRotationHandoff } from './acme-rotation.js';
import { type Actor } from '../common/request-context.js';
import { ACME_CONFIG, type AcmeConfig } from './acme.config.js';
import { describeAcmeFailure, OrderTimeoutError, type AcmeFailure } from './acme-failure.js';
import { AcmeOrderRunner, type OrderProgress } from './acme-order.runner.js';
import { AcmeRepository, type AcmeLock, type AcmeOrderRow, type NewAcmeOrder } from './acme.repository.js';

const INSTALLING = 'installing the certificate';

type Outcome =
  | { certificate: { fingerprintSha256: string; notAfter: Date } }
  | { failure: AcmeFailure }
  | { held: HeldForApprovalError }
  | { rotating: string };

export type AcmeActor = Pick<Actor, 'username' | 'address'> | 'system';

export interface StartedOrder {
  order: AcmeOrderRow;
  /** Settles when the order has finished: true when its certificate is installed. */
  done: Promise<boolean>;
}

/**
 * Runs orders one at a time in the whole cluster (PostgreSQL advisory lock), keeps their progress and
 * outcome in `acme_orders`, gives up after the configured timeout, and logs and audits every outcome.
 */
@Injectable()
export class AcmeOrderExecutor implements OnModuleDestroy {
  private readonly logger = new Logger('acme');
  private readonly inFlight = new Set<Promise<boolean>>();
  private stopping = false;

  constructor(
    private readonly repo: AcmeRepository,
    private readonly runner: AcmeOrderRunner,
    private readonly audit: AuditService,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
    private readonly certificates: CertificatesService,
    private readonly handoff: AcmeRotationHandoff,
  ) {}

  /**
   * Takes the lock, asks `build` (under the lock, so it sees what another node just did) what to order,
   * and starts it. 'busy': another order runs somewhere; 'skipped': `build` found nothing to do.
   */
  async start(
    build: () => Promise<NewAcmeOrder | undefined>,
    actor: AcmeActor,
  ): Promise<StartedOrder | 'busy' | 'skipped'> {
    if (this.stopping) return 'busy';
    const lock = await this.repo.tryLock();
    if (!lock) return 'busy';
    let order: AcmeOrderRow;
    try {
      const wanted = await build();
      if (!wanted) {
        await lock.release();
        return 'skipped';
      }
      const interrupted = await this.repo.failInterrupted();
      if (interrupted > 0) this.logger.warn(`${interrupted} ACME order(s) of a stopped node marked failed`);
      const superseded = await this.repo.supersedeHeld();
      if (superseded > 0) this.logger.log(`a held ACME certificate was superseded by a new order`);
      order = await this.repo.createOrder(wanted);
    } catch (error) {
      await lock.release();
      throw error;
    }
    const done = this.execute(order, lock, actor);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return { order, done };
  }

  /** Lets running orders stop at their next step (nothing is installed after that) before the database closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.inFlight]);
  }

  private async execute(order: AcmeOrderRow, lock: AcmeLock, actor: AcmeActor): Promise<boolean> {
    const action = order.reason === 'renewal' ? 'acme.renew' : 'acme.order';
    let givenUp: OrderTimeoutError | undefined;
    const progress: OrderProgress = {
      step: 'starting',
      checkpoint: async (step) => {
        if (givenUp) throw givenUp;
        if (this.stopping) throw new Error(`central stopped while ${progress.step}`);
        progress.step = step;
        await this.repo.setProgress(order.id, step);
      },
    };
    const running = this.runner.run(order, progress);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const giveUp = () => {
        // Once the certificate is being installed, finishing is quicker and safer than stopping.
        if (progress.step === INSTALLING) return void (timer = setTimeout(giveUp, 1000));
        givenUp = new OrderTimeoutError(Math.round(this.config.orderTimeoutMs / 1000), progress.step);
        reject(givenUp);
      };
      timer = setTimeout(giveUp, this.config.orderTimeoutMs);
    });
    // The outcome is stored last, just before the lock goes: a client that sees the order finished
    // finds the audit record written and can start the next order at once.
    let outcome: Outcome;
    try {
      const identity = await Promise.race([running, timeout]);
      const { fingerprintSha256, notAfter } = identity.summary;
      outcome = { certificate: { fingerprintSha256, notAfter: new Date(notAfter) } };
      this.logger.log(
        `${order.reason === 'renewal' ? 'renewed' : 'obtained'} the server certificate for ${order.fqdn} ` +
          `from ${new URL(order.directoryUrl).host} (expires ${notAfter}, ${fingerprintSha256})`,
      );
      await this.audit.record(actor, action, 'success', order.fqdn, {
        orderId: order.id,
        directoryUrl: order.directoryUrl,
        fingerprintSha256,
        notAfter,
      });
    } catch (error) {
      if (error instanceof HeldForApprovalError) {
        const decided = await this.rotateInstead(order, error, actor, action);
        if ('rotating' in decided) return this.finish(order, lock, running, decided, timer);
        outcome = decided;
        this.logger.warn(
          `${order.reason === 'renewal' ? 'renewal' : 'order'} of a certificate for ${order.fqdn}: HELD, waiting for ` +
            `approval (POST /api/certificates/acme/renewal/approve): ${outcome.held.message}`,
        );
        await this.audit.record(actor, action, 'refused', order.fqdn, {
          orderId: order.id,
          held: true,
          reason: outcome.held.message,
          strandedAgents: outcome.held.agents,
        });
        return this.finish(order, lock, running, outcome, timer);
      }
      outcome = { failure: describeAcmeFailure(error, progress.step, order.directoryUrl) };
      this.logger.warn(
        `${order.reason === 'renewal' ? 'renewal' : 'order'} of a certificate for ${order.fqdn} failed ` +
          `while ${progress.step}: ${outcome.failure.message}; the active certificate is unchanged`,
      );
      await this.audit.record(actor, action, 'failed', order.fqdn, {
        orderId: order.id,
        directoryUrl: order.directoryUrl,
        reason: outcome.failure.message,
      });
      // After a timeout the runner may need a while to stop: the operator hears about it now.
      if (givenUp) await this.store(order.id, outcome);
    } finally {
      clearTimeout(timer);
    }
    // The lock is held until the runner has really stopped, so two orders never overlap.
    await running.catch(() => undefined);
    if (!givenUp) await this.store(order.id, outcome);
    await lock.release();
    return 'certificate' in outcome;
  }

  /**
   * `newAnchor: rotate`: the certificate is staged as an automatic rotation (ADR 32) instead of held.
   * Otherwise (policy `hold`, or no rotation could be staged: the message says why) it is held.
   */
  private async rotateInstead(
    order: AcmeOrderRow,
    held: HeldForApprovalError,
    actor: AcmeActor,
    action: string,
  ): Promise<{ held: HeldForApprovalError } | { rotating: string }> {
    if (order.newAnchor !== 'rotate') return { held };
    const handed = await this.handoff.handOff(order, held);
    if ('refused' in handed)
      return {
        held: new HeldForApprovalError(
          `could not start the automatic rotation (${handed.refused}); ${held.message}`,
          held.chainPem,
          held.keyPem,
          held.agents,
        ),
      };
    this.logger.warn(
      `${order.reason === 'renewal' ? 'renewal' : 'order'} of a certificate for ${order.fqdn}: its chain ends at a new ` +
        `anchor that ${held.agents.length} known agent(s) do not trust yet: staged as automatic rotation ${handed.rotationId} ` +
        `(GET /api/certificates/rotations/${handed.rotationId}; abort it to hold the certificate instead)`,
    );
    await this.audit.record(actor, action, 'success', order.fqdn, {
      orderId: order.id,
      directoryUrl: order.directoryUrl,
      rotating: true,
      rotationId: handed.rotationId,
      strandedAgents: held.agents.length,
    });
    return { rotating: handed.rotationId };
  }

  private async finish(
    order: AcmeOrderRow,
    lock: AcmeLock,
    running: Promise<unknown>,
    outcome: Outcome,
    timer: NodeJS.Timeout | undefined,
  ): Promise<boolean> {
    clearTimeout(timer);
    await running.catch(() => undefined);
    await this.store(order.id, outcome);
    await lock.release();
    return false;
  }

  /**
   * Installs the held ACME certificate past the agents it strands (the operator approved it), under the
   * ACME lock so no order runs meanwhile. 404 when nothing is held, 409 while an order runs.
   */
  async approveHeld(actor: AcmeActor): Promise<{ orderId: string; identity: ServerIdentity }> {
    const lock = await this.repo.tryLock();
    if (!lock)
      throw new DomainError('acme_order_running', 'an ACME order is running; approve once it has finished');
    try {
      const held = await this.repo.findHeld();
      if (!held)
        throw new DomainError('acme_certificate_not_held', 'no ACME certificate is waiting for approval');
      const identity = await this.certificates.install(
        {
          source: 'acme',
          chainPem: held.chainPem,
          keyPem: this.certificates.openServerKey(held.keyEncrypted),
        },
        { force: true },
      );
      const { fingerprintSha256, notAfter } = identity.summary;
      await this.repo.markValid(held.id, { fingerprintSha256, notAfter: new Date(notAfter) });
      this.logger.warn(
        `held ACME certificate for ${held.fqdn} approved by ${actor === 'system' ? 'system' : actor.username} ` +
          `and installed (${fingerprintSha256})${identity.forcedPast ? `; ${identity.forcedPast.length} agent(s) will not trust it` : ''}`,
      );
      return { orderId: held.id, identity };
    } finally {
      await lock.release();
    }
  }

  private async store(orderId: string, outcome: Outcome): Promise<void> {
    try {
      if ('certificate' in outcome) await this.repo.markValid(orderId, outcome.certificate);
      else if ('rotating' in outcome)
        return; // recorded by the hand-off
      else if ('held' in outcome)
        await this.repo.markHeld(orderId, {
          chainPem: outcome.held.chainPem,
          keyEncrypted: this.certificates.sealServerKey(outcome.held.keyPem),
          reason: outcome.held.message,
        });
      else await this.repo.markFailed(orderId, outcome.failure.message, outcome.failure.detail);
    } catch (error) {
      this.logger.error(`cannot record the outcome of ACME order ${orderId}: ${(error as Error).message}`);
    }
  }
}
