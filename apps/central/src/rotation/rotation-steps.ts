import { chainLinks, describeChain, type StrandedAgent } from '../certificates/stranded-agents.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import { type TruststoreEntry } from '../profiles/truststore-selection.js';
import { type AdvanceRequest, type RotationActor, type RotationDeps } from './rotation-deps.js';
import { rotationGate } from './rotation-gate.js';
import { type RotationPhase, type RotationRollout, type RotationStep } from './rotation-phase.js';
import { STAGED_KEY_PURPOSE } from './rotation-stage.js';
import { anchorOf, withNewAnchor, withoutOldAnchor } from './rotation-truststore.js';
import { type StoredRotation } from './rotation.repository.js';

// The steps of a rotation after staging (ADR 30), each a function of the rotation's dependencies:
// RotationService decides which step comes next and audits it; these do the work.

/** Step 2: a revision of each profile in use trusting both anchors, published by a rollout. */
export async function publishTrust(
  deps: RotationDeps,
  rotation: StoredRotation,
  req: AdvanceRequest,
  actor: RotationActor,
) {
  await requireUnchangedCertificate(deps, rotation);
  const anchorPem = anchorOf(rotation.chainPem).pem;
  const rollouts = await publishEach(deps, rotation, req.waves, actor, (entries) =>
    withNewAnchor(entries, anchorPem),
  );
  await transition(
    deps,
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
export async function activate(
  deps: RotationDeps,
  rotation: StoredRotation,
  req: AdvanceRequest,
  actor: RotationActor,
) {
  const current = await requireUnchangedCertificate(deps, rotation);
  const gate = await rotationGate(
    deps.trust,
    deps.windowHours,
    rotation.chainPem,
    current.chainPem,
    Number.MAX_SAFE_INTEGER,
  );
  const ids = gate.all.map((a) => a.id);
  if (ids.length > 0) {
    if (!req.force)
      throw new DomainError('rotation_gate_would_strand_agents', gateMessage(rotation.chainPem, gate.all), {
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
  if (!rotation.keyEncrypted) throw new DomainError('rotation_key_discarded', 'the staged key was discarded');
  const keyPem = deps.secrets.open(rotation.keyEncrypted, STAGED_KEY_PURPOSE).toString('utf8');
  // The same path as an import: guarded again (it passes now, or the gate was acknowledged).
  const installed = await deps.certificates.install(
    { source: 'imported', chainPem: rotation.chainPem, keyPem },
    { force: ids.length > 0 },
  );
  await transition(
    deps,
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
export async function complete(
  deps: RotationDeps,
  rotation: StoredRotation,
  req: AdvanceRequest,
  actor: RotationActor,
) {
  let rollouts: RotationRollout[] = [];
  if (req.cleanup !== false && rotation.trustRollouts.length > 0) {
    const active = await deps.activeCertificate();
    if (active?.id !== rotation.activatedCertificateId)
      throw new DomainError(
        'served_certificate_changed',
        'the served certificate is no longer the one this rotation activated: the clean-up would strand agents; abort instead, or complete it without the clean-up (untick "publish the clean-up revision", or switchyard-certmgr -rotate-advance -no-cleanup)',
      );
    rollouts = await publishEach(deps, rotation, req.waves, actor, (entries) =>
      withoutOldAnchor(entries, rotation.fromAnchor.sha256),
    );
  }
  await transition(
    deps,
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
export async function publishEach(
  deps: RotationDeps,
  rotation: StoredRotation,
  waves: AdvanceRequest['waves'],
  actor: RotationActor,
  edit: (entries: TruststoreEntry[]) => TruststoreEntry[],
): Promise<RotationRollout[]> {
  const publisher = deps.publisher;
  if (!publisher)
    throw new DomainError(
      'rotation_needs_central',
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

export async function requireUnchangedCertificate(deps: RotationDeps, rotation: StoredRotation) {
  const current = await deps.activeCertificate();
  if (!current || current.id !== rotation.fromCertificateId)
    throw new DomainError(
      'served_certificate_changed',
      'the served certificate changed since this rotation was staged: abort it and stage again',
    );
  return current;
}

export async function transition(
  deps: RotationDeps,
  rotation: StoredRotation,
  to: RotationPhase,
  step: RotationStep['step'],
  reason: string,
  actor: RotationActor,
  details: Record<string, unknown>,
  change: Parameters<RotationDeps['repo']['transition']>[4] = {},
): Promise<void> {
  const moved = await deps.repo.transition(
    rotation.id,
    rotation.phase,
    to,
    { at: new Date().toISOString(), actor: actor.name, step, from: rotation.phase, to, reason, details },
    change,
  );
  if (!moved)
    throw new DomainError(
      'rotation_changed_meanwhile',
      `rotation ${rotation.id} changed meanwhile (it is no longer ${rotation.phase}); look at it again`,
    );
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
