import { createHash } from 'node:crypto';
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { AgentHome } from './agent-home.js';
import type { Logger } from './logger.js';
import {
  readTrustedCas,
  readTruststoreFile,
  TrustError,
  type TruststoreReader,
  type TruststoreSettings,
} from './trust.js';

export interface TruststoreWatchOptions {
  logger: Logger;
  /** The truststore file changed after it was last loaded: its content, or whether it exists. */
  onChange(path: string): void;
  read?: TruststoreReader;
  /** How often the file's mtime and size are looked at, besides fs.watch (which misses some renames). */
  pollMs?: number;
  /** Events closer than this fold into one check (an editor or keytool writes in several steps). */
  debounceMs?: number;
}

/** A truststore failure the watch has already seen for the same file content (log it once). */
export class RepeatedTrustError extends TrustError {}

interface Loaded {
  path: string;
  /** Password and declared type: the same bytes may open with other settings. */
  settingsKey: string;
  /** sha256 of the content, or the read error's code. */
  contentKey: string;
  outcome: { caPems: string[] } | { error: TrustError };
}

const DEFAULT_POLL_MS = 2_000;
const DEFAULT_DEBOUNCE_MS = 200;

/**
 * The agent's truststore as it is on disk now. `load` (before every connection attempt) reads and
 * hashes the file and parses it only when the content or settings changed, so each change is logged
 * once: a type that differs from the declared one at info, an unusable store at error with its fix
 * (later attempts with the same content throw RepeatedTrustError). Between attempts the file is
 * watched (fs.watch on its folder, debounced, and a light mtime+size poll): a change calls `onChange`,
 * so an agent in backoff can reconnect at once and a connected one can use the new CAs for downloads.
 */
export class TruststoreWatch {
  private loaded: Loaded | undefined;
  private watcher: FSWatcher | undefined;
  private watchedDir: string | undefined;
  /** The watched folder's inode: a folder swapped in under the same name (conf/) needs a new watch. */
  private watchedDirKey: string | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** mtime and size at the last look, so the poll hashes only when they moved. */
  private statKey: string | undefined;
  /** The content a change was last reported for: one report per change. */
  private notifiedKey: string | undefined;

  constructor(private readonly options: TruststoreWatchOptions) {}

  /** The truststore's CAs as PEM; throws TrustError (RepeatedTrustError when nothing changed since). */
  load(settings: TruststoreSettings, home: Pick<AgentHome, 'resolve'>): string[] {
    const path = home.resolve(settings.path);
    const settingsKey = `${settings.type}\0${hash(settings.password)}`;
    this.follow(path);
    let bytes: Buffer | undefined;
    let readError: TrustError | undefined;
    try {
      bytes = readTruststoreFile(path);
    } catch (error) {
      readError = error as TrustError;
    }
    const contentKey = bytes ? hash(bytes) : `error:${readError!.message}`;
    this.statKey = statKeyOf(path);
    this.notifiedKey = contentKey;
    const previous = this.loaded;
    if (
      previous?.path === path &&
      previous.settingsKey === settingsKey &&
      previous.contentKey === contentKey
    ) {
      if ('caPems' in previous.outcome) return previous.outcome.caPems;
      throw new RepeatedTrustError(previous.outcome.error.message);
    }
    let outcome: Loaded['outcome'];
    try {
      if (readError) throw readError;
      const cas = readTrustedCas(bytes!, settings, path, this.options.read);
      if (cas.declaredTypeDiffers) {
        const { declared, actual } = cas.declaredTypeDiffers;
        this.options.logger.info(
          `truststore ${path} is ${actual} although its declared type is ${declared}: read as ${actual}, as Java does`,
        );
      }
      if (previous?.path === path)
        this.options.logger.info(`truststore ${path} reloaded: ${cas.caPems.length} trusted CA(s)`);
      outcome = { caPems: cas.caPems };
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      outcome = { error };
    }
    this.loaded = { path, settingsKey, contentKey, outcome };
    if ('error' in outcome) throw outcome.error;
    return outcome.caPems;
  }

  /** The agent no longer uses a truststore (plain ws), or is stopping. */
  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedDir = undefined;
    clearInterval(this.poller);
    this.poller = undefined;
    clearTimeout(this.debounce);
    this.debounce = undefined;
  }

  /** Watches `path` (its folder: a replaced file is a new inode); re-armed at every load. */
  private follow(path: string): void {
    const dir = dirname(path);
    const dirKey = statKeyOf(dir).split(':')[0];
    if (this.watchedDir !== dir || this.watchedDirKey !== dirKey || !this.watcher) {
      this.watcher?.close();
      this.watcher = undefined;
      this.watchedDir = dir;
      this.watchedDirKey = dirKey;
      const name = basename(path);
      try {
        this.watcher = watch(dir, { persistent: false }, (_event, file) => {
          if (file === null || file === name) this.schedule();
        });
        // A folder that disappears (e.g. conf/ swapped) ends the watch; the poll goes on, and the next
        // load watches the new folder.
        this.watcher.on('error', () => {
          this.watcher?.close();
          this.watcher = undefined;
        });
      } catch {
        this.watcher = undefined; // no folder yet: the poll notices when the file appears
      }
    }
    this.poller ??= setInterval(() => this.poll(), this.options.pollMs ?? DEFAULT_POLL_MS);
    this.poller.unref();
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.check(), this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.debounce.unref();
  }

  private poll(): void {
    const path = this.loaded?.path;
    if (path === undefined) return;
    this.follow(path);
    if (statKeyOf(path) === this.statKey) return;
    this.check();
  }

  /** Reports a content change once; a touch that leaves the content as it was is no change. */
  private check(): void {
    const loaded = this.loaded;
    if (!loaded) return;
    this.statKey = statKeyOf(loaded.path);
    let contentKey: string;
    try {
      contentKey = hash(readTruststoreFile(loaded.path));
    } catch (error) {
      contentKey = `error:${(error as Error).message}`;
    }
    if (contentKey === this.notifiedKey) return;
    this.notifiedKey = contentKey;
    if (contentKey !== loaded.contentKey) this.options.onChange(loaded.path);
  }
}

function statKeyOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch (error) {
    return `error:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

const hash = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
