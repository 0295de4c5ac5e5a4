import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../atomic-file.js';
import {
  describeProfile,
  parseProfileRef,
  profileRefJson,
  writeActiveProfile,
  type ProfileRef,
} from './profile-state.js';
import { crashPoint } from './crash-point.js';
import type { ProfileLayout } from './profile-layout.js';
import { LOCAL_CONF_NAME } from '../local-conf.js';

/*
 * The swap of <home>/conf/ for a staged profile's conf/, crash-safe with two renames and a journal.
 *
 *   1. remove profiles/previous/ (the one before last)           no journal: nothing happened yet
 *   2. write profiles/swap.json (atomic, fsynced)                  ← the commit point
 *   3. rename conf/ → profiles/previous/                           rename 1
 *   4. rename profiles/staged/conf/ → conf/                        rename 2
 *   5. write state/profile.json, remove profiles/staged/ and the journal
 *
 * Both trees are complete and fsynced before step 2 (the staged one since extraction), and rename(2)
 * moves a folder whole, so at every instant each tree is complete somewhere: in conf/, in
 * profiles/previous/ or in profiles/staged/conf/. Without a journal the old conf/ is in place and
 * stays. With a journal, recovery rolls forward from whatever step was reached — the decision to
 * switch was taken (the candidate connection was welcomed) — and undoes only if the new tree is gone.
 */

export type SwapOutcome = 'committed' | 'undone';

/** Swaps in the staged conf/ of `ref`; synchronous so that nothing else runs in between. */
export function commitStagedConf(layout: ProfileLayout, ref: ProfileRef): SwapOutcome {
  if (!existsSync(layout.stagedConfDir)) throw new Error(`no staged conf/ for ${describeProfile(ref)}`);
  carryLocalConf(layout);
  rmSync(layout.previousDir, { recursive: true, force: true });
  syncDirectory(layout.root);
  crashPoint('before-journal');
  writeFileAtomic(layout.journalFile, profileRefJson(ref), 0o600);
  crashPoint('after-journal');
  return rollForward(layout, ref);
}

/**
 * The running agent.local.conf goes into the staged conf/ as it is now: an operator may have edited it
 * since the profile was staged, and the swap must not bring back the older copy (ADR 37). Before the
 * journal, so a crash here leaves the old conf/ in place and a staged tree that is still whole.
 */
function carryLocalConf(layout: ProfileLayout): void {
  let text: Buffer;
  try {
    text = readFileSync(join(layout.confDir, LOCAL_CONF_NAME));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // a first apply: the staged one was made
    throw error;
  }
  const staged = join(layout.stagedConfDir, LOCAL_CONF_NAME);
  if (existsSync(staged) && readFileSync(staged).equals(text)) return;
  writeFileAtomic(staged, text, 0o644);
}

/**
 * At startup, before agent.conf is read: completes (or, if the new tree is gone, undoes) a swap a crash
 * interrupted, and clears what an interrupted synchronize left. Returns what it did, for the log.
 */
export function recoverConfSwap(layout: ProfileLayout): string[] {
  const done: string[] = [];
  if (!existsSync(layout.root)) return done;
  const journal = readJournal(layout);
  if (journal) {
    const outcome = rollForward(layout, journal);
    done.push(
      outcome === 'committed'
        ? `completed the interrupted switch to profile ${describeProfile(journal)}`
        : `undid the interrupted switch to profile ${describeProfile(journal)}: its conf/ was missing; kept the previous conf/`,
    );
  } else if (!existsSync(layout.confDir) && existsSync(layout.previousDir)) {
    // Not produced by commitStagedConf (rename 1 comes after the journal); an operator's half-done restore.
    renameSync(layout.previousDir, layout.confDir);
    syncAll(layout);
    done.push('conf/ was missing: restored it from profiles/previous/');
  }
  for (const name of readdirSync(layout.root)) {
    if (name.startsWith('staging-')) {
      rmSync(join(layout.root, name), { recursive: true, force: true });
      done.push(`removed ${name}/, left by an interrupted synchronize`);
    }
  }
  if (existsSync(layout.stagedDir) && !existsSync(layout.stagedConfDir)) {
    rmSync(layout.stagedDir, { recursive: true, force: true });
    done.push('removed an incomplete profiles/staged/');
  }
  return done;
}

function rollForward(layout: ProfileLayout, ref: ProfileRef): SwapOutcome {
  if (existsSync(layout.confDir) && existsSync(layout.stagedConfDir)) {
    // Before rename 1; a previous/ here can only be a half-removed older one.
    rmSync(layout.previousDir, { recursive: true, force: true });
    renameSync(layout.confDir, layout.previousDir);
    syncAll(layout);
    crashPoint('after-rename-1');
  }
  if (!existsSync(layout.confDir)) {
    if (!existsSync(layout.stagedConfDir)) {
      if (!existsSync(layout.previousDir))
        throw new Error('conf/, the staged conf/ and profiles/previous/ are all missing');
      renameSync(layout.previousDir, layout.confDir);
      syncAll(layout);
      finish(layout);
      return 'undone';
    }
    renameSync(layout.stagedConfDir, layout.confDir);
    syncAll(layout);
    crashPoint('after-rename-2');
  }
  writeActiveProfile(layout.home, ref);
  crashPoint('after-record');
  finish(layout);
  return 'committed';
}

function finish(layout: ProfileLayout): void {
  rmSync(layout.stagedDir, { recursive: true, force: true });
  rmSync(layout.journalFile, { force: true });
  syncDirectory(layout.root);
}

/** The renames touch the home (conf/), profiles/ (previous/) and staged/ (its conf/). */
function syncAll(layout: ProfileLayout): void {
  syncDirectory(layout.home.root);
  syncDirectory(layout.root);
  if (existsSync(layout.stagedDir)) syncDirectory(layout.stagedDir);
}

function readJournal(layout: ProfileLayout): ProfileRef | undefined {
  let text: string;
  try {
    text = readFileSync(layout.journalFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const ref = parseProfileRef(text);
  // An unreadable journal can only come from outside (it is written atomically): the old conf/ is the safe side.
  if (!ref) {
    rmSync(layout.journalFile, { force: true });
    return undefined;
  }
  return ref;
}
