import { readFile } from 'node:fs/promises';

/**
 * Polls a file's contents (fs.watch misses editors' atomic renames) and reports each new version once.
 * Read errors (e.g. the file briefly missing during a rename) are reported once per distinct error.
 */
export class ConfWatcher {
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private polling = false;

  constructor(
    private readonly path: string,
    /** The text the running settings came from. */
    private lastText: string,
    private readonly intervalMs: number,
    private readonly onChange: (text: string) => void,
    private readonly onReadError: (message: string) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const text = await readFile(this.path, 'utf8');
      this.lastError = undefined;
      if (text !== this.lastText && this.timer) {
        this.lastText = text;
        this.onChange(text);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      if (code !== this.lastError && this.timer) this.onReadError(`cannot read ${this.path} (${code})`);
      this.lastError = code;
    } finally {
      this.polling = false;
    }
  }
}
