import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConf } from '../../../../libs/agent-conf/index.js';
import { extractProfileArchive, openProfileArchive } from '../../../../libs/profile-archive/index.js';
import { ensureDirectory, syncDirectory, writeFileAtomic } from '../atomic-file.js';
import { parseLayeredConf } from '../agent-conf-file.js';
import { LOCAL_CONF_NAME, type CurrentConf } from '../local-conf.js';
import { parseProfileRef, profileRefJson, type ProfileRef } from './profile-state.js';
import { checkProfileContent, type ProfileContentContext } from './profile-content.check.js';
import { AGENT_CONF_PATH, STAGED_META_NAME, type ProfileLayout } from './profile-layout.js';
import { ProfileRefusal } from './profile-refusal.js';

/** A synchronized profile waiting in `profiles/staged/`. */
export interface StagedProfile {
  ref: ProfileRef;
  conf: AgentConf;
  /** The effective agent.conf text: the staged agent.conf with the staged agent.local.conf laid over. */
  confText: string;
  /** Worth a log line when staged (e.g. the profile's agent.id was replaced by this agent's). */
  notes?: string[];
}

export interface StageRequest extends Omit<ProfileContentContext, 'resolveOutside' | 'current'> {
  layout: ProfileLayout;
  archive: Buffer;
  /** What central announced: the archive must be exactly this revision. */
  ref: ProfileRef;
  publicKey: KeyObject;
}

export const PROFILES_DIR_MODE = 0o700;

/**
 * Verifies an archive and stages it: opened and checked in memory (sha256, signature, every unsafe
 * entry, agent.conf and truststores), extracted into a fresh `profiles/staging-<sha256>/`, described by
 * its profile.json, then renamed to `profiles/staged/`. Nothing outside the staging folder is written
 * until that rename, and a failure removes the staging folder: the running conf/ is never touched.
 *
 * @throws ProfileArchiveError or ProfileRefusal with the reason to report.
 */
export async function stageProfile(req: StageRequest): Promise<StagedProfile> {
  const { layout, ref } = req;
  const opened = await openProfileArchive(req.archive, {
    publicKey: req.publicKey,
    expectedSha256: ref.sha256,
  });
  const { manifest } = opened;
  if (manifest.profile !== ref.profile || manifest.revision !== ref.revision) {
    throw new ProfileRefusal(
      `archive holds profile ${manifest.profile} r${manifest.revision}, but central announced ${ref.profile} r${ref.revision}`,
    );
  }
  const checked = checkProfileContent(manifest, opened.files, {
    ...req,
    resolveOutside: (path) => layout.home.resolve(path),
    current: currentConf(layout),
  });
  const files = new Map(opened.files);
  files.set(AGENT_CONF_PATH, Buffer.from(checked.confText, 'utf8'));
  // The agent's own file, never the profile's: a profile cannot bring local values (ADR 37).
  const localPath = `conf/${LOCAL_CONF_NAME}`;
  if (files.has(localPath)) checked.notes.push(`the profile's ${localPath} is replaced by this agent's own`);
  files.set(localPath, Buffer.from(checked.localConfText, 'utf8'));

  ensureDirectory(layout.root, PROFILES_DIR_MODE);
  const staging = layout.stagingDir(ref.sha256);
  rmSync(staging, { recursive: true, force: true }); // a leftover of an interrupted attempt
  await extractProfileArchive({ files }, staging);
  try {
    writeFileAtomic(join(staging, STAGED_META_NAME), profileRefJson(ref), 0o644);
    // Only one staged profile: the newer synchronize replaces the older one.
    rmSync(layout.stagedDir, { recursive: true, force: true });
    renameSync(staging, layout.stagedDir);
    syncDirectory(layout.root);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { ref, conf: checked.conf, confText: checked.effectiveText, notes: checked.notes };
}

/** The staged profile, or undefined when there is none or it is incomplete (then it is not reported). */
export function readStagedProfile(layout: ProfileLayout): StagedProfile | undefined {
  let ref: ProfileRef | undefined;
  let confText: string;
  let localText: string | undefined;
  try {
    ref = parseProfileRef(readFileSync(layout.stagedMetaFile, 'utf8'));
    confText = readFileSync(join(layout.stagedConfDir, 'agent.conf'), 'utf8');
    localText = readIfPresent(join(layout.stagedConfDir, LOCAL_CONF_NAME));
  } catch {
    return undefined;
  }
  if (!ref) return undefined;
  const loaded = parseLayeredConf(confText, localText);
  return loaded.ok ? { ref, conf: loaded.conf, confText: loaded.text } : undefined;
}

/** What the running conf/ holds: the local values a staged profile keeps, or migrates on a first apply. */
function currentConf(layout: ProfileLayout): CurrentConf {
  return {
    localText: readIfPresent(join(layout.confDir, LOCAL_CONF_NAME)),
    confText: readIfPresent(join(layout.confDir, 'agent.conf')),
    profileActive: existsSync(layout.home.activeProfileFile),
  };
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
