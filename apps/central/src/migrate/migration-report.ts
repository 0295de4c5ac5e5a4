import { type MigrationStatus } from '../migration/migration-status.js';
import { type Exemption } from '../migration/migration.repository.js';
import { type StrandedAgent } from '../migration/secure-only-gate.js';

/** The step into each phase in words, beside the id that --to takes (the admin UI's buttons say the same). */
const STEP_INTO: Record<string, string> = {
  plain_only: 'plain only again',
  dual: 'open the secure listener',
  secure_published: 'publish the secure profile',
  secure_only: 'close the plain listener',
};

const iso = (d: Date | string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Who would be stranded, one line per reason, as `migrate status` and a refused advance print it. */
export function formatStranded(stranded: StrandedAgent[]): string {
  if (stranded.length === 0) return 'No agent would be stranded.';
  const rows = stranded.flatMap((s) =>
    s.reasons.map((r, i) => [i === 0 ? s.agentId : '', r.code, r.message]),
  );
  return table(['AGENT', 'WHY', 'DETAILS'], rows);
}

export function formatExemptions(exemptions: Exemption[]): string {
  if (exemptions.length === 0) return 'No exemptions.';
  return table(
    ['AGENT', 'EXPIRES', 'STATE', 'BY', 'REASON'],
    exemptions.map((e) => [
      e.agentId,
      iso(e.expiresAt),
      e.active ? 'active' : 'expired',
      e.createdBy,
      e.reason,
    ]),
  );
}

/** `migrate status`: phase, the next phase's checks, the agent breakdown and the gate. */
export function formatStatus(s: MigrationStatus): string {
  const out: string[] = [];
  out.push(
    table(
      ['', ''],
      [
        ['Phase', `${s.phase}${s.next ? ` (next: ${s.next}, ${STEP_INTO[s.next]})` : ' (last phase)'}`],
        ['Listeners', `plain ${s.listeners.plain}, secure ${s.listeners.secure}`],
        ['Gate', `certificate ≥ ${s.gate.minCertificateDays} days, window ≥ ${s.gate.minWindowHours} h`],
        ...(s.pending
          ? [
              [
                'Pending',
                `secure_published: rollout ${s.pending.rolloutId} ${s.pending.rollout?.state ?? 'missing'}`,
              ],
            ]
          : []),
      ],
    )
      .split('\n')
      .slice(1)
      .join('\n'),
  );
  if (s.next) {
    out.push('', `Checks before: ${STEP_INTO[s.next]} (${s.next})`);
    out.push(
      table(
        ['CHECK', 'RESULT', 'REASON'],
        s.preconditions.map((p) => [p.id, p.ok ? 'ok' : 'FAIL', p.reason]),
      ),
    );
  }
  const b = s.breakdown;
  out.push('', 'Agents');
  out.push(
    table(
      ['GROUP', 'COUNT', 'AGENTS'],
      (
        [
          ['secure', b.secure],
          ['plain, able', b.plainButAble],
          ['plain, not able', b.plainNotAble],
          ['offline', b.offline],
          ['exempt', b.exempt],
          ['via connector', b.viaConnector],
        ] satisfies Array<[string, string[]]>
      ).map(([name, ids]) => [name, String(ids.length), ids.join(', ')]),
    ),
  );
  out.push('', 'Would be stranded by closing the plain listener (secure_only)', formatStranded(s.stranded));
  if (s.history.length > 0) {
    out.push('', 'History (latest first)');
    out.push(
      table(
        ['WHEN', 'WHO', 'WHAT', 'REASON'],
        s.history
          .slice(0, 10)
          .map((t) => [
            iso(t.at),
            t.actor,
            `${t.kind} ${t.from} → ${t.to}${t.forced ? ' (forced)' : ''}`,
            t.reason,
          ]),
      ),
    );
  }
  return out.join('\n');
}
