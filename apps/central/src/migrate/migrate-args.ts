import { stringFlag, UsageError } from '../common/usage-error.js';
import { isPhase, PHASES, type Phase } from '../migration/migration-phase.js';

interface GateFlags {
  windowHours?: number;
  minCertificateDays?: number;
  json: boolean;
}

/** What `migrate` was asked to do. */
export type MigrateCommand =
  | { kind: 'help' }
  | ({ kind: 'status' } & GateFlags)
  | ({
      kind: 'advance';
      to?: Phase;
      reason: string;
      force: boolean;
      acknowledge?: string[];
      profile?: string;
      revision?: number;
      rolloutId?: string;
      accept: boolean;
    } & GateFlags)
  | { kind: 'rollback'; to?: Phase; reason: string; force: boolean; json: boolean }
  | { kind: 'exempt'; agentId: string; reason: string; expiresAt: Date; json: boolean }
  | { kind: 'exempt-list'; json: boolean }
  | { kind: 'exempt-remove'; agentId: string; json: boolean };

export { UsageError };

export const USAGE = `migrate — the staged plain → secure migration, on the database directly (running central
nodes apply listener changes through NOTIFY). From a checkout: npx switchyard-migrate … or
npm run migrate -- …

  switchyard-migrate status [--window-hours H] [--min-cert-days D]
  switchyard-migrate advance --reason TEXT [--to PHASE] [--force --acknowledge ID,ID…]
                     [--profile NAME --revision N | --rollout ID] [--accept]
  switchyard-migrate rollback --reason TEXT [--to PHASE] [--force]
  switchyard-migrate exempt AGENT --reason TEXT (--expires 2026-12-31T00:00:00Z | --for 30d)
  switchyard-migrate exempt --list
  switchyard-migrate exempt --remove AGENT

Phases: ${PHASES.join(' → ')}
Options:
  --json              print the result as JSON (the same object as GET /api/migration)
  --window-hours H    shortest observation window of the secure_only gate (default
                      SWITCHYARD_MIGRATION_WINDOW_HOURS or 24)
  --min-cert-days D   days the server certificate must stay valid for dual (default 14)
Exit codes: 0 done, 1 refused by a gate or precondition (nothing changed), 2 usage error,
3 cannot reach the database or read the master key.`;

const VALUE_FLAGS = new Set([
  '--reason',
  '--to',
  '--acknowledge',
  '--profile',
  '--revision',
  '--rollout',
  '--window-hours',
  '--min-cert-days',
  '--expires',
  '--for',
  '--remove',
]);
const BOOLEAN_FLAGS = new Set(['--force', '--accept', '--json', '--list', '--help', '-h']);

const ALLOWED: Record<string, string[]> = {
  status: ['--window-hours', '--min-cert-days', '--json'],
  advance: [
    '--reason',
    '--to',
    '--force',
    '--acknowledge',
    '--profile',
    '--revision',
    '--rollout',
    '--accept',
    '--window-hours',
    '--min-cert-days',
    '--json',
  ],
  rollback: ['--reason', '--to', '--force', '--json'],
  exempt: ['--reason', '--expires', '--for', '--list', '--remove', '--json'],
};

export function parseMigrateArgs(argv: string[], now = new Date()): MigrateCommand {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') return { kind: 'help' };
  const allowed = ALLOWED[verb];
  if (!allowed) throw new UsageError(`unknown command "${verb}" (status, advance, rollback, exempt)`);
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!allowed.includes(arg))
      throw new UsageError(
        VALUE_FLAGS.has(arg) || BOOLEAN_FLAGS.has(arg)
          ? `${arg} does not go with ${verb}`
          : `unknown option ${arg}`,
      );
    if (flags.has(arg)) throw new UsageError(`${arg} given twice`);
    if (BOOLEAN_FLAGS.has(arg)) flags.set(arg, true);
    else {
      const value = rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${arg} needs a value`);
      flags.set(arg, value);
    }
  }
  const value = (f: string) => stringFlag(flags, f);
  const json = flags.has('--json');
  const gate: GateFlags = {
    json,
    windowHours: number(value('--window-hours'), '--window-hours', 0, 24 * 365),
    minCertificateDays: number(value('--min-cert-days'), '--min-cert-days', 0, 3650),
  };
  if (verb !== 'exempt' && positional.length > 0)
    throw new UsageError(`unexpected argument "${positional[0]}"`);
  const phase = (): Phase | undefined => {
    const to = value('--to');
    if (to !== undefined && !isPhase(to)) throw new UsageError(`--to must be one of ${PHASES.join(', ')}`);
    return to as Phase | undefined;
  };
  const reason = (): string => {
    const r = value('--reason')?.trim();
    if (!r) throw new UsageError(`${verb} needs --reason TEXT (it is audited)`);
    return r;
  };
  switch (verb) {
    case 'status':
      return { kind: 'status', ...gate };
    case 'advance': {
      const acknowledge = value('--acknowledge')
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (acknowledge && !flags.has('--force')) throw new UsageError('--acknowledge goes with --force');
      if (flags.has('--rollout') && (flags.has('--profile') || flags.has('--revision')))
        throw new UsageError('give either --rollout or --profile and --revision');
      if (flags.has('--profile') !== flags.has('--revision'))
        throw new UsageError('--profile and --revision go together');
      const rolloutId = value('--rollout');
      if (rolloutId !== undefined && !/^[0-9a-f-]{36}$/i.test(rolloutId))
        throw new UsageError('--rollout must be a rollout id (a UUID)');
      return {
        kind: 'advance',
        ...gate,
        to: phase(),
        reason: reason(),
        force: flags.has('--force'),
        acknowledge,
        profile: value('--profile'),
        revision: number(value('--revision'), '--revision', 1, 1_000_000),
        rolloutId,
        accept: flags.has('--accept'),
      };
    }
    case 'rollback':
      return { kind: 'rollback', to: phase(), reason: reason(), force: flags.has('--force'), json };
    default:
      return exempt(flags, positional, json, now, reason);
  }
}

function exempt(
  flags: Map<string, string | true>,
  positional: string[],
  json: boolean,
  now: Date,
  reason: () => string,
): MigrateCommand {
  if (flags.has('--list')) {
    if (flags.size > (json ? 2 : 1) || positional.length > 0)
      throw new UsageError('exempt --list takes no other argument');
    return { kind: 'exempt-list', json };
  }
  if (flags.has('--remove')) {
    if (positional.length > 0 || flags.has('--reason'))
      throw new UsageError('exempt --remove AGENT takes nothing else');
    return { kind: 'exempt-remove', agentId: stringFlag(flags, '--remove')!, json };
  }
  if (positional.length !== 1) throw new UsageError('exempt needs exactly one agent id');
  const expires = stringFlag(flags, '--expires');
  const duration = stringFlag(flags, '--for');
  if ((expires === undefined) === (duration === undefined))
    throw new UsageError('exempt needs --expires TIME or --for DURATION (e.g. 30d, 12h)');
  let expiresAt: Date;
  if (expires !== undefined) {
    expiresAt = new Date(expires);
    if (!/^\d{4}-\d\d-\d\d/.test(expires) || Number.isNaN(expiresAt.getTime()))
      throw new UsageError('--expires must be an ISO 8601 time, e.g. 2026-12-31T00:00:00Z');
  } else {
    const m = /^(\d+)([smhd])$/.exec(duration!);
    if (!m) throw new UsageError('--for must be a number and a unit: 90s, 30m, 12h, 30d');
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
    expiresAt = new Date(now.getTime() + Number(m[1]) * unit * 1000);
  }
  return { kind: 'exempt', agentId: positional[0]!, reason: reason(), expiresAt, json };
}

function number(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n < min || n > max)
    throw new UsageError(`${flag} must be a number between ${min} and ${max}`);
  return n;
}
