import { stringFlag, UsageError } from '../common/usage-error.js';
import { readFileSync } from 'node:fs';

/** What `certmgr` was asked to do, from its familiar single-dash flags. */
export type CertmgrCommand =
  | { kind: 'help' }
  | { kind: 'show'; json: boolean }
  | { kind: 'self'; json: boolean; force: boolean }
  | { kind: 'previous'; json: boolean; force: boolean }
  | {
      kind: 'import';
      files: string[];
      password: string | undefined;
      hosts: string[] | undefined;
      json: boolean;
      force: boolean;
    };

export { UsageError };

export const USAGE = `certmgr — manage central's server certificate (works with central stopped; running nodes
pick the change up live). From a checkout: npx switchyard-certmgr … or npm run certmgr -- …

  switchyard-certmgr -show                         show the active server certificate
  switchyard-certmgr -self                         restore a fresh self-signed certificate
  switchyard-certmgr -previous                     serve the previous certificate again (its key was kept)
  switchyard-certmgr -pkcs12 FILE -pass PW         import a PKCS#12 (.pfx/.p12) key store
  switchyard-certmgr -cert FILE -key FILE [-chain FILE] [-pass PW]
                                                   import a certificate (PEM/DER/PKCS#7) and its key
  switchyard-certmgr -help                         this text

Options:
  -pass PW | env:NAME | file:PATH   password of the key store or encrypted key (env:/file: keep it out of
                                    the process list and shell history)
  -hosts a,b                        host names agents use (default SWITCHYARD_AGENT_HOSTS): the
                                    certificate's names must cover them
  -json                             print the certificate as JSON (the same object as GET /api/certificates/server)
  -force                            change it even if known agents would not trust the new chain (without it,
                                    such a change is refused and the agents are named)

Environment: the same as central (SWITCHYARD_DATA_DIR, DATABASE_URL, SWITCHYARD_MASTER_KEY).
Exit codes: 0 done, 1 the certificate was refused (nothing changed; also when it would strand
agents), 2 usage error, 3 cannot reach
the database or read the master key.`;

export function parseCertmgrArgs(argv: string[]): CertmgrCommand {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!.replace(/^--/, '-');
    if (!/^-[a-z0-9]+$/.test(flag)) throw new UsageError(`unexpected argument "${argv[i]}"`);
    if (flags.has(flag)) throw new UsageError(`${flag} given twice`);
    if (['-show', '-self', '-previous', '-help', '-h', '-json', '-force'].includes(flag)) {
      flags.set(flag, true);
    } else if (['-pkcs12', '-cert', '-key', '-chain', '-pass', '-hosts'].includes(flag)) {
      const value = argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      flags.set(flag, value);
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  const json = flags.has('-json');
  const force = flags.has('-force');
  const value = (f: string) => stringFlag(flags, f);
  const actions = ['-show', '-self', '-previous', '-pkcs12', '-cert', '-help', '-h'].filter((f) =>
    flags.has(f),
  );
  if (actions.length === 0) return { kind: 'help' };
  if (actions.length > 1) throw new UsageError(`choose one of ${actions.join(', ')}`);
  const action = actions[0]!;
  const importOnly = ['-key', '-chain', '-pass', '-hosts'].filter((f) => flags.has(f));
  if (action === '-help' || action === '-h') return { kind: 'help' };
  if (action === '-show' || action === '-self' || action === '-previous') {
    if (importOnly.length > 0) throw new UsageError(`${importOnly.join(', ')} only go with -pkcs12 or -cert`);
    if (action === '-show') {
      if (force) throw new UsageError('-force goes with a change, not -show');
      return { kind: 'show', json };
    }
    return { kind: action === '-self' ? 'self' : 'previous', json, force };
  }
  const hosts = value('-hosts')
    ?.split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const password = value('-pass') === undefined ? undefined : resolvePassword(value('-pass')!);
  if (action === '-pkcs12') {
    if (flags.has('-key') || flags.has('-chain'))
      throw new UsageError('-key and -chain go with -cert, not -pkcs12');
    if (password === undefined) throw new UsageError('-pkcs12 needs -pass (the key store password)');
    return { kind: 'import', files: [value('-pkcs12')!], password, hosts, json, force };
  }
  if (!flags.has('-key')) throw new UsageError('-cert needs -key FILE (the private key)');
  const files = [value('-cert')!, value('-key')!, ...(flags.has('-chain') ? [value('-chain')!] : [])];
  return { kind: 'import', files, password, hosts, json, force };
}

/** openssl's convention: a literal, `env:NAME` or `file:PATH` (first line). */
export function resolvePassword(spec: string): string {
  if (spec.startsWith('env:')) {
    const name = spec.slice(4);
    const v = process.env[name];
    if (v === undefined) throw new UsageError(`-pass env:${name}: the variable ${name} is not set`);
    return v;
  }
  if (spec.startsWith('file:')) {
    const path = spec.slice(5);
    try {
      return readFileSync(path, 'utf8').split(/\r?\n/)[0]!;
    } catch (error) {
      throw new UsageError(`-pass file:${path}: ${(error as Error).message}`);
    }
  }
  return spec;
}
