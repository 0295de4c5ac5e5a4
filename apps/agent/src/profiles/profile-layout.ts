import { isAbsolute, join, normalize } from 'node:path';
import type { AgentHome } from '../agent-home.js';

/**
 * Where profiles live below `<home>/profiles/`. Everything is on the home's file system, so every move
 * between these folders and `<home>/conf/` is a rename(2): atomic, and never a copy.
 *
 * - `staging-<sha256>/`  an archive being extracted; removed on failure and at startup
 * - `staged/`            the last synchronized profile: `profile.json` + `conf/`, waiting for activation
 * - `previous/`          the conf/ that the last swap replaced (for an operator's rollback)
 * - `swap.json`          the swap journal: present from the commit decision until the swap is complete
 */
export class ProfileLayout {
  constructor(readonly home: AgentHome) {}

  get root(): string {
    return this.home.profilesDir;
  }

  stagingDir(sha256: string): string {
    return join(this.root, `staging-${sha256}`);
  }

  get stagedDir(): string {
    return join(this.root, 'staged');
  }

  /** The staged profile's own conf/ tree: what becomes `<home>/conf/` on activation. */
  get stagedConfDir(): string {
    return join(this.stagedDir, 'conf');
  }

  get stagedMetaFile(): string {
    return join(this.stagedDir, STAGED_META_NAME);
  }

  get previousDir(): string {
    return join(this.root, 'previous');
  }

  get journalFile(): string {
    return join(this.root, 'swap.json');
  }

  get confDir(): string {
    return this.home.confDir;
  }

  /**
   * A path from agent.conf (relative to the home) as it resolves once `stagedRoot` (a folder holding a
   * `conf/` tree) has become the home's conf/: paths under conf/ point into the staged tree, others stay.
   */
  resolveFrom(stagedRoot: string, path: string): string {
    if (isAbsolute(path)) return path;
    const relative = normalize(path);
    return relative === 'conf' || relative.startsWith('conf/')
      ? join(stagedRoot, relative)
      : this.home.resolve(path);
  }
}

/** The name, revision and sha256 of a staged profile, inside its folder so both move together. */
export const STAGED_META_NAME = 'profile.json';

/** The archive path of the profile's agent.conf (docs/profiles.md, ADR 7). */
export const AGENT_CONF_PATH = 'conf/agent.conf';
