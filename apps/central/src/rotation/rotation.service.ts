import { checkImport } from '../certificates/certificate-import.js';
import { chainLinks, describeChain, type StrandedAgent } from '../certificates/stranded-agents.js';
import { DomainError, ErrorCode, ValidationError } from '../common/domain-error.js';
import { type TruststoreEntry } from '../profiles/truststore-selection.js';
import {
  type AbortRequest,
  type AdvanceRequest,
  type RotationActor,
  type RotationDeps,
  type StageRequest,
} from './rotation-deps.js';
import { rotationGate } from './rotation-gate.js';
import { NEXT_PHASE, type RotationPhase, type RotationRollout, type RotationStep } from './rotation-phase.js';
import { STAGED_KEY_PURPOSE, stageRotation, type StageInput } from './rotation-stage.js';
import { anchorOf, withNewAnchor, withoutNewAnchor, withoutOldAnchor } from './rotation-truststore.js';
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
          ErrorCode.CONFLICT,
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
    if (!rotation) throw new DomainError(ErrorCode.NOT_FOUND, `no certificate rotation ${id}`);
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
      throw new DomainError(ErrorCode.CONFLICT, `rotation ${id} is ${rotation.phase}: there is no next step`);
    try {
      if (rotation.phase === 'staged') await this.publishTrust(rotation, req, actor);
      else if (rotation.phase === 'trust_published') await this.activate(rotation, req, actor);
      else await this.complete(rotation, req, actor);
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
        ErrorCode.CONFLICT,
        `rotation ${id} is ${rotation.phase}: nothing to abort${rotation.phase === 'completed' ? ' (restore the previous certificate with POST /api/certificates/server/previous, guarded)' : ''}`,
      );
    const details: Record<string, unknown> = {};
    try {
      if (rotation.phase === 'activated') {
        const active = await this.deps.activeCertificate();
        if (active?.id !== rotation.activatedCertificateId)
          throw new DomainError(
            ErrorCode.CONFLICT,
            `the served certificate is no longer the one this rotation activated: nothing was restored`,
          );
        const restored = await this.deps.certificates.restorePrevious();
        details.restoredCertificate = restored.summary.fingerprintSha256;
      }
      let cleanupRollouts: RotationRollout[] | undefined;
      if (rotation.trustRollouts.length > 0 && req.revert !== false) {
        if (this.deps.publisher) {
          cleanupRollouts = await this.publishEach(rotation, undefined, actor, (entries) =>
            withoutNewAnchor(entries),
          );
          details.revertRollouts = cleanupRollouts;
        } else
          details.note =
            'the revision trusting both anchors stays published: certmgr cannot publish revisions (abort through the API, or publish one without the switchyard-rotation entry)';
      }
      await this.transition(rotation, 'aborted', 'abort', req.reason, actor, details, {
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

  /** Step 2: a revision of each profile in use trusting both anchors, published by a rollout. */
  private async publishTrust(rotation: StoredRotation, req: AdvanceRequest, actor: RotationActor) {
    await this.requireUnchangedCertificate(rotation);
    const anchorPem = anchorOf(rotation.chainPem).pem;
    const rollouts = await this.publishEach(rotation, req.waves, actor, (entries) =>
      withNewAnchor(entries, anchorPem),
    );
    await this.transition(
      rotation,
      'trust_published',
      'advance',
      req.reason,
      actor,
      { rollouts },
      {
        trustRollouts: rollouts,
      },
    );
  }

  /** Steps 3 and 4: every known agent trusts the new chain (or is acknowledged), then it is served. */
  private async activate(rotation: StoredRotation, req: AdvanceRequest, actor: RotationActor) {
    const current = await this.requireUnchangedCertificate(rotation);
    const gate = await rotationGate(
      this.deps.trust,
      this.deps.windowHours,
      rotation.chainPem,
      current.chainPem,
      Number.MAX_SAFE_INTEGER,
    );
    const ids = gate.all.map((a) => a.id);
    if (ids.length > 0) {
      if (!req.force)
        throw new DomainError(ErrorCode.WOULD_STRAND_AGENTS, gateMessage(rotation.chainPem, gate.all), {
          agents: gate.all,
          trusting: gate.trusting,
          total: gate.total,
        });
      const given = new Set(req.acknowledge ?? []);
      const missing = ids.filter((i) => !given.has(i));
      const extra = [...given].filter((i) => !ids.includes(i));
      if (missing.length > 0 || extra.length > 0)
        throw new ValidationError([
          {
            field: 'acknowledge',
            message: [
              missing.length > 0 ? `missing stranded agent(s): ${missing.join(', ')}` : '',
              extra.length > 0 ? `not stranded, remove: ${extra.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; '),
          },
        ]);
    }
    if (!rotation.keyEncrypted) throw new DomainError(ErrorCode.CONFLICT, 'the staged key was discarded');
    const keyPem = this.deps.secrets.open(rotation.keyEncrypted, STAGED_KEY_PURPOSE).toString('utf8');
    // The same path as an import: guarded again (it passes now, or the gate was acknowledged).
    const installed = await this.deps.certificates.install(
      { source: 'imported', chainPem: rotation.chainPem, keyPem },
      { force: ids.length > 0 },
    );
    await this.transition(
      rotation,
      'activated',
      'advance',
      req.reason,
      actor,
      {
        gate: { total: gate.total, trusting: gate.trusting },
        ...(ids.length > 0 ? { forced: true, acknowledged: ids } : {}),
        certificateId: installed.id,
      },
      { activatedCertificateId: installed.id },
    );
  }

  /** Step 5: optionally a revision without the old anchor; the rotation is complete. */
  private async complete(rotation: StoredRotation, req: AdvanceRequest, actor: RotationActor) {
    let rollouts: RotationRollout[] = [];
    if (req.cleanup !== false && rotation.trustRollouts.length > 0) {
      const active = await this.deps.activeCertificate();
      if (active?.id !== rotation.activatedCertificateId)
        throw new DomainError(
          ErrorCode.CONFLICT,
          'the served certificate is no longer the one this rotation activated: the clean-up would strand agents; abort instead, or advance with "cleanup": false',
        );
      rollouts = await this.publishEach(rotation, req.waves, actor, (entries) =>
        withoutOldAnchor(entries, rotation.fromAnchor.sha256),
      );
    }
    await this.transition(
      rotation,
      'completed',
      'advance',
      req.reason,
      actor,
      {
        cleanup: rollouts.length > 0,
        rollouts,
      },
      { cleanupRollouts: rollouts },
    );
  }

  /**
   * Edits the truststore of each profile (those in use, or those step 2 published), prepares and
   * publishes: to all agents when one profile is in use, else each to the agents meant to run it.
   */
  private async publishEach(
    rotation: StoredRotation,
    waves: AdvanceRequest['waves'],
    actor: RotationActor,
    edit: (entries: TruststoreEntry[]) => TruststoreEntry[],
  ): Promise<RotationRollout[]> {
    const publisher = this.deps.publisher;
    if (!publisher)
      throw new DomainError(
        ErrorCode.CONFLICT,
        'certmgr cannot prepare and publish revisions (a running central does): take this step through the API (POST /api/certificates/rotations/:id/advance) or the Certificates tab',
      );
    const names =
      rotation.trustRollouts.length > 0
        ? [...new Set(rotation.trustRollouts.map((r) => r.profile))]
        : await publisher.profilesInUse();
    const rollouts: RotationRollout[] = [];
    for (const profile of names) {
      const revision = await publisher.reviseAndPrepare(
        profile,
        (draft) => ({ truststore: edit(draft.truststore) }),
        actor.name,
      );
      let targets: { all: true } | { agentIds: string[] } = { all: true };
      if (names.length > 1) {
        const agentIds = await publisher.agentsOf(profile);
        if (agentIds.length === 0) continue;
        targets = { agentIds };
      }
      const rolloutId = await publisher.publish(
        { profile, revision, targets, ...(waves ? { waves } : {}) },
        actor.name,
      );
      rollouts.push({ profile, revision, rolloutId });
    }
    return rollouts;
  }

  private async requireUnchangedCertificate(rotation: StoredRotation) {
    const current = await this.deps.activeCertificate();
    if (!current || current.id !== rotation.fromCertificateId)
      throw new DomainError(
        ErrorCode.CONFLICT,
        'the served certificate changed since this rotation was staged: abort it and stage again',
      );
    return current;
  }

  private async transition(
    rotation: StoredRotation,
    to: RotationPhase,
    step: RotationStep['step'],
    reason: string,
    actor: RotationActor,
    details: Record<string, unknown>,
    change: Parameters<RotationDeps['repo']['transition']>[4] = {},
  ): Promise<void> {
    const moved = await this.deps.repo.transition(
      rotation.id,
      rotation.phase,
      to,
      { at: new Date().toISOString(), actor: actor.name, step, from: rotation.phase, to, reason, details },
      change,
    );
    if (!moved)
      throw new DomainError(
        ErrorCode.CONFLICT,
        `rotation ${rotation.id} changed meanwhile (it is no longer ${rotation.phase}); look at it again`,
      );
  }

  private async require(id: string): Promise<StoredRotation> {
    const rotation = await this.deps.repo.find(id);
    if (!rotation) throw new DomainError(ErrorCode.NOT_FOUND, `no certificate rotation ${id}`);
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

/** The gate's refusal: who does not trust the staged chain yet, and the ways forward. */
function gateMessage(chainPem: string, stranded: readonly StrandedAgent[]): string {
  const named = stranded
    .slice(0, 20)
    .map((a) => `${a.id} (${a.reason})`)
    .join(', ');
  const more = stranded.length > 20 ? ` and ${stranded.length - 20} more` : '';
  return (
    `${stranded.length} known agent(s) do not trust the staged chain ${describeChain(chainLinks(chainPem))} yet: ` +
    `${named}${more}. Nothing was changed: wait for them to report the new anchor (the rotation's rollout ` +
    `brings it), exempt them, or force the step acknowledging each of them (switchyard-certmgr -rotate-advance -reason WHY -force -acknowledge ID,ID…)`
  );
}
