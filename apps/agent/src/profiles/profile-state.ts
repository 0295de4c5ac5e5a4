import { readFileSync } from 'node:fs';
import type { AgentHome } from '../agent-home.js';
import { ensureDirectory, writeFileAtomic } from '../atomic-file.js';
import { STATE_DIR_MODE } from '../credential-store.js';

const SHA256 = /^[0-9a-f]{64}$/;

/** A profile revision as the agent knows it: what central named it and the sha256 of its archive. */
export interface ProfileRef {
  profile: string;
  revision: number;
  sha256: string;
}

/** Parses a ProfileRef from JSON text; undefined for anything that is not one. */
export function parseProfileRef(text: string): ProfileRef | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { profile, revision, sha256 } = value as Record<string, unknown>;
  if (typeof profile !== 'string' || profile === '') return undefined;
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) return undefined;
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) return undefined;
  return { profile, revision, sha256 };
}

export function profileRefJson(ref: ProfileRef): string {
  return JSON.stringify({ profile: ref.profile, revision: ref.revision, sha256: ref.sha256 }, null, 2) + '\n';
}

/** "default r3 (sha 1a2b3c4d5e6f)": how logs and reasons name a revision. */
export function describeProfile(ref: ProfileRef): string {
  return `${ref.profile} r${ref.revision} (sha ${ref.sha256.slice(0, 12)})`;
}

/** The profile the agent actually runs (`state/profile.json`), or null if none or unreadable. */
export function readActiveProfile(home: AgentHome, warn: (message: string) => void): ProfileRef | null {
  let text: string;
  try {
    text = readFileSync(home.activeProfileFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      warn(`cannot read ${home.activeProfileFile} (${code ?? error}); reporting no profile`);
    return null;
  }
  const ref = parseProfileRef(text);
  if (ref) return ref;
  warn(`${home.activeProfileFile} does not describe a profile; reporting no profile`);
  return null;
}

/** The sha256 hello reports as the active profile. */
export function readProfileSha256(home: AgentHome, warn: (message: string) => void): string | null {
  return readActiveProfile(home, warn)?.sha256 ?? null;
}

/** Records the profile now running; only the swap (and its recovery) calls this, after conf/ is in place. */
export function writeActiveProfile(home: AgentHome, ref: ProfileRef): void {
  ensureDirectory(home.stateDir, STATE_DIR_MODE);
  writeFileAtomic(home.activeProfileFile, profileRefJson(ref), 0o644);
}
