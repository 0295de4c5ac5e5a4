import { type RotationView } from './rotation-view.js';

const STEP_NAMES: Record<string, string> = {
  stage: '1 stage the new certificate',
  trust: '2 trust both anchors (rollout)',
  gate: '3 gate: every agent reports the new anchor',
  activate: '4 activate (serve the new certificate)',
  cleanup: '5 clean-up: drop the old anchor (rollout)',
};
const MARK: Record<string, string> = { done: '[x]', current: '[>]', pending: '[ ]', skipped: '[-]' };

/** The rotation as `certmgr -rotate-status` prints it. */
export function formatRotation(r: RotationView): string {
  const lines = [
    `Rotation      ${r.id} (${r.phase}${r.next ? `, next: ${r.next}` : ''})`,
    `Certificate   ${r.certificate.subject} (sha256 ${r.certificate.fingerprintSha256})`,
    `New anchor    ${r.certificate.anchor.subject} (sha256 ${r.certificate.anchor.sha256.slice(0, 16)}…)`,
    `Old anchor    ${r.fromAnchor.subject} (sha256 ${r.fromAnchor.sha256.slice(0, 16)}…)`,
    '',
  ];
  for (const step of r.steps) {
    lines.push(`${MARK[step.state] ?? '[?]'} ${STEP_NAMES[step.id] ?? step.id}`);
    for (const rollout of step.rollouts ?? []) {
      const counts = rollout.progress
        ? Object.entries(rollout.progress.agents)
            .map(([state, n]) => `${n} ${state}`)
            .join(', ')
        : 'progress unknown';
      lines.push(
        `      ${rollout.profile} revision ${rollout.revision}: rollout ${rollout.rolloutId} ${rollout.progress?.state ?? ''} (${counts || 'no agents'})`,
      );
    }
    if (step.id === 'gate' && r.gate) {
      lines.push(`      ${r.gate.trusting}/${r.gate.total} known agents report the new anchor`);
      for (const a of r.gate.stranded) lines.push(`      - ${a.id} (${a.status}): ${a.reason}`);
      if (r.gate.strandedCount > r.gate.stranded.length)
        lines.push(`      … and ${r.gate.strandedCount - r.gate.stranded.length} more`);
    }
  }
  lines.push('', 'History');
  for (const h of r.history) lines.push(`  ${h.at}  ${h.actor}  ${h.from ?? '-'} → ${h.to}  "${h.reason}"`);
  return lines.join('\n');
}
