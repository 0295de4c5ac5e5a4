import { summarizeCertificate } from '../../../../libs/pki/index.js';
import { DomainError } from '../common/domain-error.js';
import { type RotationActor, type RotationDeps } from './rotation-deps.js';
import { type RotationStep } from './rotation-phase.js';
import { anchorOf } from './rotation-truststore.js';

/** The sealed key's purpose: a staged key cannot be opened as anything else. */
export const STAGED_KEY_PURPOSE = 'rotation-staged-key';

/** A checked certificate and key to stage: from an upload (checkImport) or an ACME order (checkIssuedChain). */
export interface StageInput {
  chainPem: string;
  keyPem: string;
  reason: string;
  /** Shown in the stage step: the uploaded file names, the import's warnings, the ACME order. */
  details: Record<string, unknown>;
  /** Set for a rotation that advances by itself (ADR 32). */
  automatic?: 'acme';
}

/**
 * Stores the certificate, not served (ADR 30 step 1): one rotation at a time, only when the chain
 * ends at another anchor than the served one. Refusals are DomainErrors; the caller audits them.
 */
export async function stageRotation(
  deps: RotationDeps,
  input: StageInput,
  actor: RotationActor,
): Promise<string> {
  const open = await deps.repo.findOpen();
  if (open)
    throw new DomainError(
      'rotation_already_open',
      `rotation ${open.id} is ${open.phase}: finish or abort it before staging another (one rotation at a time)`,
      { rotationId: open.id },
    );
  const current = await deps.activeCertificate();
  if (!current)
    throw new DomainError(
      'no_server_certificate',
      'no server certificate is served yet: import one directly',
    );
  const anchor = anchorOf(input.chainPem);
  const fromAnchor = anchorOf(current.chainPem);
  if (anchor.sha256 === fromAnchor.sha256)
    throw new DomainError(
      'rotation_same_anchor',
      `the new certificate chains to the anchor agents already trust (${anchor.subject}): no rotation is needed, import it directly (POST /api/certificates/server/import)`,
      { reason: 'same_anchor' },
    );
  const summary = summarizeCertificate(input.chainPem);
  const step: RotationStep = {
    at: new Date().toISOString(),
    actor: actor.name,
    step: 'stage',
    from: null,
    to: 'staged',
    reason: input.reason,
    details: input.details,
  };
  const id = await deps.repo.insert({
    chainPem: input.chainPem,
    keyEncrypted: deps.secrets.seal(input.keyPem, STAGED_KEY_PURPOSE),
    fingerprintSha256: summary.fingerprintSha256,
    anchor: { sha256: anchor.sha256, subject: anchor.subject },
    notAfter: new Date(summary.notAfter),
    fromCertificateId: current.id,
    fromAnchor: { sha256: fromAnchor.sha256, subject: fromAnchor.subject },
    createdBy: actor.name,
    steps: [step],
    ...(input.automatic ? { automatic: input.automatic } : {}),
  });
  if (!id) throw new DomainError('rotation_changed_meanwhile', 'another rotation was staged meanwhile');
  await deps.audit(actor, 'certificate rotation stage', 'success', {
    rotationId: id,
    reason: input.reason,
    subject: summary.subject,
    fingerprintSha256: summary.fingerprintSha256,
    anchor: anchor.subject,
    ...(input.automatic ? { automatic: input.automatic } : {}),
  });
  return id;
}
