import { stringFlag } from '../common/usage-error.js';
import { UsageError, resolvePassword } from './certmgr-args.js';

/** The staged rotation's commands (ADR 30): they act on the rotation under way (one at a time). */
export type RotateCommand =
  | {
      kind: 'rotate-stage';
      files: string[];
      password: string | undefined;
      hosts: string[] | undefined;
      reason: string;
      json: boolean;
    }
  | { kind: 'rotate-status'; json: boolean; limit: number }
  | {
      kind: 'rotate-advance';
      reason: string;
      force: boolean;
      acknowledge: string[] | undefined;
      cleanup: boolean;
      json: boolean;
    }
  | { kind: 'rotate-abort'; reason: string; revert: boolean; json: boolean };

export const ROTATE_USAGE = `Staged rotation to a certificate from another CA (docs/certificates.md):

  switchyard-certmgr -rotate-stage -cert FILE -key FILE [-chain FILE] [-pass PW] -reason WHY
  switchyard-certmgr -rotate-stage -pkcs12 FILE -pass PW -reason WHY
                                  1. store the new certificate (key sealed), not served
  switchyard-certmgr -rotate-status [-json] [-limit N]
                                  the rotation under way (else the latest): steps, rollouts, gate
  switchyard-certmgr -rotate-advance -reason WHY [-force -acknowledge a,b] [-no-cleanup]
                                  the next step: 2. publish the trust of both anchors (needs central),
                                  3+4. gate and activate, 5. clean-up revision (needs central; or
                                  -no-cleanup to finish without it)
  switchyard-certmgr -rotate-abort -reason WHY [-no-revert]
                                  go back: discard the staged certificate, or restore the previous one
                                  after activation (guarded); publishing the revision without the new
                                  anchor needs central (certmgr leaves the published one)
  -hosts a,b                      as for an import: host names agents use`;

const VALUE_FLAGS = [
  '-cert',
  '-key',
  '-chain',
  '-pass',
  '-pkcs12',
  '-hosts',
  '-reason',
  '-acknowledge',
  '-limit',
];
const SWITCHES = ['-rotate-stage', '-rotate-status', '-rotate-advance', '-rotate-abort', '-json', '-force'];
const NEGATIONS = ['-no-cleanup', '-no-revert'];

/** True when argv asks for a rotation command (certmgr's main hands it here). */
export function isRotateCommand(argv: string[]): boolean {
  return argv.some((a) => /^--?rotate-/.test(a));
}

export function parseRotateArgs(argv: string[]): RotateCommand {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!.replace(/^--/, '-');
    if (flags.has(flag)) throw new UsageError(`${flag} given twice`);
    if (SWITCHES.includes(flag) || NEGATIONS.includes(flag)) flags.set(flag, true);
    else if (VALUE_FLAGS.includes(flag)) {
      const value = argv[++i];
      if (value === undefined || /^-[a-z]/.test(value)) throw new UsageError(`${flag} needs a value`);
      flags.set(flag, value);
    } else throw new UsageError(`unexpected argument "${argv[i]}" for a rotation command`);
  }
  const actions = ['-rotate-stage', '-rotate-status', '-rotate-advance', '-rotate-abort'].filter((f) =>
    flags.has(f),
  );
  if (actions.length !== 1)
    throw new UsageError(`choose one of -rotate-stage, -rotate-status, -rotate-advance, -rotate-abort`);
  const action = actions[0]!;
  const value = (f: string) => stringFlag(flags, f);
  const json = flags.has('-json');
  const allowed: Record<string, string[]> = {
    '-rotate-stage': ['-cert', '-key', '-chain', '-pass', '-pkcs12', '-hosts', '-reason', '-json'],
    '-rotate-status': ['-json', '-limit'],
    '-rotate-advance': ['-reason', '-force', '-acknowledge', '-no-cleanup', '-json'],
    '-rotate-abort': ['-reason', '-no-revert', '-json'],
  };
  const stray = [...flags.keys()].filter((f) => f !== action && !allowed[action]!.includes(f));
  if (stray.length > 0) throw new UsageError(`${stray.join(', ')} do not go with ${action}`);
  if (action === '-rotate-status') {
    const limit = value('-limit') === undefined ? 50 : Number(value('-limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('-limit must be 1-1000');
    return { kind: 'rotate-status', json, limit };
  }
  const reason = value('-reason')?.trim();
  if (!reason) throw new UsageError(`${action} needs -reason WHY (it is audited)`);
  if (action === '-rotate-advance') {
    const acknowledge = value('-acknowledge')
      ?.split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    if (acknowledge && !flags.has('-force')) throw new UsageError('-acknowledge goes with -force');
    return {
      kind: 'rotate-advance',
      reason,
      force: flags.has('-force'),
      acknowledge,
      cleanup: !flags.has('-no-cleanup'),
      json,
    };
  }
  if (action === '-rotate-abort')
    return { kind: 'rotate-abort', reason, revert: !flags.has('-no-revert'), json };
  const password = value('-pass') === undefined ? undefined : resolvePassword(value('-pass')!);
  const hosts = value('-hosts')
    ?.split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (flags.has('-pkcs12')) {
    if (flags.has('-cert') || flags.has('-key') || flags.has('-chain'))
      throw new UsageError('-cert, -key and -chain do not go with -pkcs12');
    if (password === undefined) throw new UsageError('-pkcs12 needs -pass (the key store password)');
    return { kind: 'rotate-stage', files: [value('-pkcs12')!], password, hosts, reason, json };
  }
  if (!flags.has('-cert') || !flags.has('-key'))
    throw new UsageError('-rotate-stage needs -cert FILE -key FILE [-chain FILE], or -pkcs12 FILE -pass PW');
  const files = [value('-cert')!, value('-key')!, ...(flags.has('-chain') ? [value('-chain')!] : [])];
  return { kind: 'rotate-stage', files, password, hosts, reason, json };
}
