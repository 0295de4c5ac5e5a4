import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { type AutopilotConfig } from './rotation-autopilot.config.js';
import { type RotationActor, type RotationDeps } from './rotation-deps.js';
import { rotationGate } from './rotation-gate.js';
import { type StoredRotation } from './rotation.repository.js';
import { type RotationService } from './rotation.service.js';
import { PeriodicTask } from '../common/periodic-task.js';

const SYSTEM: RotationActor = { name: 'system' };

/** Rollout states that need an operator: the automatic rotation stops and says so. */
const STOPPED_ROLLOUT = new Set(['halted', 'cancelled']);

export type AutopilotTick = 'idle' | 'busy' | 'advanced' | 'waiting' | 'blocked';

type Verdict = { advance: string } | { wait: true } | { block: string };

/**
 * Takes the steps of a rotation that advances by itself (ADR 32: an ACME renewal whose chain ends at
 * a new anchor): publish the trust of both anchors, activate once the gate passes, clean up. Every
 * step goes through RotationService as an operator's would (audited, actor `system`, the gate checked
 * again). It never forces: a halted rollout or a gate that cannot pass stops it with a warning (log,
 * audit, `automatic.blocked` in the rotation, metric, UI banner) until the cause goes or an operator
 * takes over (advance with force, abort). One node at a time (advisory lock).
 */
export class RotationAutopilot implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('certificate-rotation');
  private task: PeriodicTask | undefined;
  private running: Promise<AutopilotTick> | undefined;
  /** Since when the gate has been closed with every trust rollout completed (per rotation). */
  private gateStuckSince = new Map<string, number>();

  constructor(
    private readonly deps: RotationDeps,
    private readonly service: RotationService,
    private readonly withLock: <T>(work: () => Promise<T>) => Promise<T | undefined>,
    private readonly config: AutopilotConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task = new PeriodicTask(this.config.everyMs, () => this.tick()).start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
    await this.running;
  }

  /** One look at the open rotation; overlapping calls share the one in progress. */
  tick(): Promise<AutopilotTick> {
    this.running ??= this.look()
      .catch((error: unknown) => {
        this.logger.warn(`automatic certificate rotation: ${(error as Error).message}`);
        return 'waiting' as const;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async look(): Promise<AutopilotTick> {
    const outcome = await this.withLock(async (): Promise<AutopilotTick> => {
      const rotation = await this.deps.repo.findOpen();
      if (!rotation?.automatic) return 'idle';
      const verdict = await this.judge(rotation);
      if ('wait' in verdict) {
        await this.unblock(rotation);
        return 'waiting';
      }
      if ('block' in verdict) return this.block(rotation, verdict.block);
      try {
        await this.service.advance(rotation.id, { reason: verdict.advance }, SYSTEM);
      } catch (error) {
        // Refused (gate, changed certificate, publishing failed): audited by advance; warn, never force.
        if (error instanceof DomainError)
          return this.block(rotation, `cannot take the next step: ${error.message}`);
        throw error;
      }
      this.gateStuckSince.delete(rotation.id);
      await this.unblock(rotation, true);
      this.logger.log(`automatic certificate rotation ${rotation.id}: ${verdict.advance}`);
      return 'advanced';
    });
    return outcome ?? 'busy';
  }

  /** What the next step is, or why not yet. */
  private async judge(rotation: StoredRotation): Promise<Verdict> {
    const why = rotation.automatic === 'acme' ? 'ACME renewal chaining to a new anchor' : 'automatic';
    if (rotation.phase === 'staged') return { advance: `${why}: publish the trust of both anchors` };
    if (rotation.phase === 'activated')
      return { advance: `${why}: clean up (a revision without the old anchor)` };
    // trust_published: the rollouts, then the gate.
    const progress = await Promise.all(
      rotation.trustRollouts.map(async (r) => ({ r, p: await this.deps.rolloutProgress(r.rolloutId) })),
    );
    const stopped = progress.find(({ p }) => p && STOPPED_ROLLOUT.has(p.state));
    if (stopped)
      return {
        block:
          `rollout ${stopped.r.rolloutId} (profile ${stopped.r.profile} r${stopped.r.revision}) is ${stopped.p!.state}` +
          `${stopped.p!.stateReason ? ` (${stopped.p!.stateReason})` : ''}: the new certificate is not activated. ` +
          'Fix and resume the rollout, or abort the rotation',
      };
    const current = await this.deps.activeCertificate();
    if (!current) return { block: 'no server certificate is served' };
    const gate = await rotationGate(
      this.deps.trust,
      this.deps.windowHours,
      rotation.chainPem,
      current.chainPem,
      20,
    );
    if (gate.ok) {
      this.gateStuckSince.delete(rotation.id);
      return {
        advance: `${why}: every known agent reports the new anchor (${gate.trusting}/${gate.total}): activate`,
      };
    }
    const allDone = progress.length > 0 && progress.every(({ p }) => p?.state === 'completed');
    if (!allDone) {
      this.gateStuckSince.delete(rotation.id);
      return { wait: true };
    }
    const since = this.gateStuckSince.get(rotation.id) ?? Date.now();
    this.gateStuckSince.set(rotation.id, since);
    if (Date.now() - since < this.config.gateGraceMs) return { wait: true };
    const named = gate.stranded.map((a) => `${a.id} (${a.reason})`).join(', ');
    const more =
      gate.strandedCount > gate.stranded.length
        ? ` and ${gate.strandedCount - gate.stranded.length} more`
        : '';
    return {
      block:
        `the gate cannot pass: the trust rollout(s) completed but ${gate.strandedCount} of ${gate.total} known agent(s) ` +
        `do not report the new anchor: ${named}${more}. The new certificate is not activated; bring them online, ` +
        'exempt them, or advance by hand forcing it and acknowledging each of them (switchyard-certmgr -rotate-advance -force -acknowledge ID,ID…; the automatic rotation never forces), or abort',
    };
  }

  private async block(rotation: StoredRotation, reason: string): Promise<AutopilotTick> {
    if (rotation.automaticBlocked?.reason === reason) return 'blocked';
    await this.deps.repo.setAutomaticBlocked(rotation.id, { since: new Date().toISOString(), reason });
    this.logger.warn(`automatic certificate rotation ${rotation.id} stopped at ${rotation.phase}: ${reason}`);
    await this.deps.audit(SYSTEM, 'certificate rotation automatic', 'refused', {
      rotationId: rotation.id,
      phase: rotation.phase,
      reason,
    });
    return 'blocked';
  }

  private async unblock(rotation: StoredRotation, advanced = false): Promise<void> {
    if (!rotation.automaticBlocked) return;
    await this.deps.repo.setAutomaticBlocked(rotation.id, null);
    this.logger.log(
      `automatic certificate rotation ${rotation.id} goes on${advanced ? '' : ' (the cause went away)'}: was stopped because ${rotation.automaticBlocked.reason}`,
    );
  }
}
