import { readFile } from 'node:fs/promises';

/**
 * Polls a file's contents (fs.watch misses editors' atomic renames) and reports each new version once.
 * Read errors (e.g. the file briefly missing during a rename) are reported once per distinct error.
 */
export class ConfWatcher {
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private polling = false;
  /** Bumped by suspend/resume: a read that started before either is stale and dropped. */
  private generation = 0;
  private suspended = false;

  constructor(
    private readonly path: string,
    /** The text the running settings came from. */
    private lastText: string,
    private readonly intervalMs: number,
    private readonly onChange: (text: string) => void,
    private readonly onReadError: (message: string) => void,
    /** Reads the text to compare: by default the file; the agent's is agent.conf with agent.local.conf laid over. */
    private readonly read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The agent is about to replace the file itself: nothing read from now on is an operator's edit. */
  suspend(): void {
    this.suspended = true;
    this.generation++;
  }

  /** After the agent's own change: `knownText` (if given) is what the running settings now come from. */
  resume(knownText?: string): void {
    if (knownText !== undefined) this.lastText = knownText;
    this.lastError = undefined;
    this.suspended = false;
    this.generation++;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.suspended) return;
    this.polling = true;
    const generation = this.generation;
    const current = () => this.timer !== undefined && !this.suspended && generation === this.generation;
    try {
      const text = await this.read(this.path);
      if (!current()) return;
      this.lastError = undefined;
      if (text !== this.lastText) {
        this.lastText = text;
        this.onChange(text);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (!current()) return;
      if (code !== this.lastError) this.onReadError(`cannot read ${this.path} (${code})`);
      this.lastError = code;
    } finally {
      this.polling = false;
    }
  }
}
