import { checkImport } from '../certificates/certificate-import.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import {
  type AbortRequest,
  type AdvanceRequest,
  type RotationActor,
  type RotationDeps,
  type StageRequest,
} from './rotation-deps.js';
import { rotationGate } from './rotation-gate.js';
import { NEXT_PHASE, type RotationPhase, type RotationRollout } from './rotation-phase.js';
import { stageRotation, type StageInput } from './rotation-stage.js';
import { withoutNewAnchor } from './rotation-truststore.js';
import { activate, complete, publishEach, publishTrust, transition } from './rotation-steps.js';
import { type StoredRotation } from './rotation.repository.js';
import { rotationView, type RotationView } from './rotation-view.js';

/**
 * The staged certificate rotation (issue 14 point 3, ADR 30): stage → trust both anchors (rollout) →
 * gate → activate → clean-up, each step audited and reversible, one rotation at a time. State lives in
 * `certificate_rotations`, so any node or certmgr can take the next step after a restart.
 */
export class RotationService {
  constructor(private readonly deps: RotationDeps) {}

  /** Step 1: checks the files like an import and stores the certificate (key sealed), not served. */
  async stage(req: StageRequest, actor: RotationActor): Promise<RotationView> {
    const files = req.files.map((f) => f.name);
    try {
      // A quick refusal before the (slower) checks of the files.
      const open = await this.deps.repo.findOpen();
      if (open)
        throw new DomainError(
          'rotation_already_open',
          `rotation ${open.id} is ${open.phase}: finish or abort it before staging another (one rotation at a time)`,
          { rotationId: open.id },
        );
      const imported = await checkImport(req.files, req.password, req.hosts ?? this.deps.agentHosts);
      const id = await stageRotation(
        this.deps,
        {
          chainPem: imported.chainPem,
          keyPem: imported.keyPem,
          reason: req.reason,
          details: { files, warnings: imported.warnings },
        },
        actor,
      );
      return await this.view(id);
    } catch (error) {
      if (error instanceof DomainError)
        await this.deps.audit(actor, 'certificate rotation stage', 'refused', {
          files,
          reason: error.message,
        });
      throw error;
    }
  }

  /**
   * Step 1 for a certificate central obtained itself (an ACME order whose chain ends at a new anchor,
   * ADR 32): staged as a rotation that advances by itself (RotationAutopilot). Returns its id.
   */
  async stageAutomatic(input: StageInput & { automatic: 'acme' }, actor: RotationActor): Promise<string> {
    try {
      return await stageRotation(this.deps, input, actor);
    } catch (error) {
      if (error instanceof DomainError)
        await this.deps.audit(actor, 'certificate rotation stage', 'refused', {
          automatic: input.automatic,
          reason: error.message,
        });
      throw error;
    }
  }

  /** The phase of a rotation, for what follows one (the ACME order it rotates in); undefined if unknown. */
  async phaseOf(id: string): Promise<{ phase: RotationPhase; reason: string } | undefined> {
    const rotation = await this.deps.repo.find(id);
    if (!rotation) return undefined;
    return { phase: rotation.phase, reason: rotation.steps.at(-1)?.reason ?? '' };
  }

  /** The rotation with live progress; `limit` caps the stranded agents listed. */
  async view(id: string, limit = 50): Promise<RotationView> {
    const rotation = await this.deps.repo.find(id);
    if (!rotation) throw new DomainError('rotation_not_found', `no certificate rotation ${id}`);
    return this.describe(rotation, limit);
  }

  /** The rotation under way, else the latest one; undefined when there was never one. */
  async current(limit = 50): Promise<RotationView | undefined> {
    const rotation = (await this.deps.repo.findOpen()) ?? (await this.deps.repo.list(1))[0];
    return rotation ? this.describe(rotation, limit) : undefined;
  }

  /** The latest rotations without live progress (newest first). */
  async list(limit = 20): Promise<RotationView[]> {
    const rotations = await this.deps.repo.list(limit);
    return Promise.all(rotations.map((r) => rotationView(r, { live: false })));
  }

  /** Takes the next step of an open rotation (staged → trust_published → activated → completed). */
  async advance(id: string, req: AdvanceRequest, actor: RotationActor): Promise<RotationView> {
    const rotation = await this.require(id);
    const to = NEXT_PHASE[rotation.phase];
    if (!to)
      throw new DomainError(
        'rotation_no_next_step',
        `rotation ${id} is ${rotation.phase}: there is no next step`,
      );
    try {
      if (rotation.phase === 'staged') await publishTrust(this.deps, rotation, req, actor);
      else if (rotation.phase === 'trust_published') await activate(this.deps, rotation, req, actor);
      else await complete(this.deps, rotation, req, actor);
    } catch (error) {
      if (error instanceof DomainError || error instanceof ValidationError)
        await this.deps.audit(actor, 'certificate rotation advance', 'refused', {
          rotationId: id,
          from: rotation.phase,
          to,
          reason: req.reason,
          refusal: error.message,
          ...(error instanceof DomainError && error.details.agents ? { stranded: error.details.agents } : {}),
        });
      throw error;
    }
    await this.deps.audit(actor, 'certificate rotation advance', 'success', {
      rotationId: id,
      from: rotation.phase,
      to,
      reason: req.reason,
    });
    return this.view(id);
  }

  /**
   * Goes back: before activation the staged certificate is discarded; after it the previous certificate
   * is served again (guarded: it passes, agents still trust the old anchor). Either way a revision
   * without the new anchor is published (`revert: false`, or certmgr, leaves the published one).
   */
  async abort(id: string, req: AbortRequest, actor: RotationActor): Promise<RotationView> {
    const rotation = await this.require(id);
    if (rotation.phase === 'completed' || rotation.phase === 'aborted')
      throw new DomainError(
        'rotation_nothing_to_abort',
        `rotation ${id} is ${rotation.phase}: nothing to abort${rotation.phase === 'completed' ? ' (restore the previous certificate with POST /api/certificates/server/previous, guarded)' : ''}`,
      );
    const details: Record<string, unknown> = {};
    try {
      if (rotation.phase === 'activated') {
        const active = await this.deps.activeCertificate();
        if (active?.id !== rotation.activatedCertificateId)
          throw new DomainError(
            'served_certificate_changed',
            `the served certificate is no longer the one this rotation activated: nothing was restored`,
          );
        const restored = await this.deps.certificates.restorePrevious();
        details.restoredCertificate = restored.summary.fingerprintSha256;
      }
      let cleanupRollouts: RotationRollout[] | undefined;
      if (rotation.trustRollouts.length > 0 && req.revert !== false) {
        if (this.deps.publisher) {
          cleanupRollouts = await publishEach(this.deps, rotation, undefined, actor, (entries) =>
            withoutNewAnchor(entries),
          );
          details.revertRollouts = cleanupRollouts;
        } else
          details.note =
            'the revision trusting both anchors stays published: certmgr cannot publish revisions (abort through the API, or publish one without the switchyard-rotation entry)';
      }
      await transition(this.deps, rotation, 'aborted', 'abort', req.reason, actor, details, {
        keyEncrypted: null,
        ...(cleanupRollouts ? { cleanupRollouts } : {}),
      });
    } catch (error) {
      if (error instanceof DomainError)
        await this.deps.audit(actor, 'certificate rotation abort', 'refused', {
          rotationId: id,
          from: rotation.phase,
          reason: req.reason,
          refusal: error.message,
        });
      throw error;
    }
    await this.deps.audit(actor, 'certificate rotation abort', 'success', {
      rotationId: id,
      from: rotation.phase,
      reason: req.reason,
      ...details,
    });
    return this.view(id);
  }

  private async require(id: string): Promise<StoredRotation> {
    const rotation = await this.deps.repo.find(id);
    if (!rotation) throw new DomainError('rotation_not_found', `no certificate rotation ${id}`);
    return rotation;
  }

  private async describe(rotation: StoredRotation, limit: number): Promise<RotationView> {
    return rotationView(rotation, {
      live: true,
      limit,
      rolloutProgress: (rolloutId) => this.deps.rolloutProgress(rolloutId),
      gate: async () => {
        const current = await this.deps.activeCertificate();
        return current
          ? rotationGate(this.deps.trust, this.deps.windowHours, rotation.chainPem, current.chainPem, limit)
          : undefined;
      },
    });
  }
}
