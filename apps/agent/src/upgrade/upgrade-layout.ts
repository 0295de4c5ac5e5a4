import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirectory, writeFileAtomic } from '../atomic-file.js';
import type { AgentHome } from '../agent-home.js';

/** Versions name folders: a version that is not one of these could walk out of `versions/`. */
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]{1,40})?$/;

/**
 * A trial start of a new version (ADR 45), as `versions/trial` holds it: one `key=value` per line, so
 * the sh launcher reads `previous` with sed. The launcher runs the new version under its watch while
 * this file exists; the new version removes it once welcomed. If it is still there when the new version
 * exits, the launcher goes back to `previous` and leaves `versions/rollback` for the agent to report.
 */
export interface Trial {
  version: string;
  previous: string;
  deliveryId: string;
  timeoutMs: number;
  /** Set by the new version when it gives up (no welcome in time): the launcher passes it on. */
  reason?: string;
}

/** What the launcher (or the agent) leaves when it went back to the previous version. */
export interface Rollback {
  version: string;
  previous: string;
  deliveryId: string;
  reason: string;
}

/**
 * `<home>/versions/`: installed packages side by side (`versions/<version>/`), `current` (the version
 * the launcher starts, written atomically), `trial` and `rollback` (above). The running files are
 * never touched: a new version goes into a folder of its own.
 */
export class UpgradeLayout {
  constructor(private readonly home: AgentHome) {}

  get dir(): string {
    return join(this.home.root, 'versions');
  }

  versionDir(version: string): string {
    if (!VERSION.test(version)) throw new Error(`"${version}" is not a version`);
    return join(this.dir, version);
  }

  get currentFile(): string {
    return join(this.dir, 'current');
  }

  get trialFile(): string {
    return join(this.dir, 'trial');
  }

  get rollbackFile(): string {
    return join(this.dir, 'rollback');
  }

  ensure(): void {
    ensureDirectory(this.dir, 0o755);
  }

  current(): string | undefined {
    const text = readText(this.currentFile)?.trim();
    return text && VERSION.test(text) ? text : undefined;
  }

  setCurrent(version: string): void {
    this.ensure();
    writeFileAtomic(this.currentFile, `${version}\n`, 0o644);
  }

  readTrial(): Trial | undefined {
    const fields = readFields(this.trialFile);
    if (!fields?.version || !fields.previous || !fields.deliveryId) return undefined;
    return {
      version: fields.version,
      previous: fields.previous,
      deliveryId: fields.deliveryId,
      timeoutMs: Number(fields.timeoutMs) || 60_000,
      ...(fields.reason ? { reason: fields.reason } : {}),
    };
  }

  writeTrial(trial: Trial): void {
    this.ensure();
    writeFileAtomic(this.trialFile, fieldsText({ ...trial, timeoutMs: String(trial.timeoutMs) }), 0o644);
  }

  /** The new version kept itself: the launcher stops watching at its next start. */
  endTrial(): void {
    rmSync(this.trialFile, { force: true });
  }

  readRollback(): Rollback | undefined {
    const fields = readFields(this.rollbackFile);
    if (!fields?.version || !fields.deliveryId) return undefined;
    return {
      version: fields.version,
      previous: fields.previous ?? '',
      deliveryId: fields.deliveryId,
      reason: fields.reason || 'the new version did not reach welcome',
    };
  }

  /** Reported: moved aside (kept for the operator) so it is reported once. */
  clearRollback(): void {
    try {
      renameSync(this.rollbackFile, `${this.rollbackFile}.reported`);
    } catch {
      rmSync(this.rollbackFile, { force: true });
    }
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readFields(path: string): Record<string, string> | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

function fieldsText(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v!.replace(/[\r\n]+/g, ' ')}\n`)
    .join('');
}
