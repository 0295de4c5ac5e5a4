import { escapePropertiesKey, escapePropertiesValue } from './properties.escape.js';
import { lexProperties } from './properties.lexer.js';
import { type EntryLine, type PropertiesLine } from './properties.lines.js';

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * A Java `.properties` file that can be edited without disturbing it: comments, blank lines, order,
 * escapes and line endings of every line that is not changed are kept byte for byte.
 *
 * Reading follows `java.util.Properties.load(Reader)` exactly (separators `=`, `:` or whitespace,
 * `#`/`!` comments, backslash continuations, `\uXXXX`, last duplicate wins), with one deliberate
 * leniency: a leading byte-order mark (left by some Windows editors) is kept but is not part of the
 * first key.
 */
export class PropertiesDocument {
  private constructor(
    private readonly bom: string,
    private readonly lines: PropertiesLine[],
    /** Terminator for lines this class adds: the document's own first one, else `\n`. */
    private readonly eol: string,
  ) {}

  /**
   * Parses properties text (already decoded to a string).
   *
   * @throws PropertiesSyntaxError when a `\u` escape is not followed by four hex digits, the only input
   *   Java's loader refuses
   */
  static parse(text: string): PropertiesDocument {
    const bom = text.startsWith(BYTE_ORDER_MARK) ? BYTE_ORDER_MARK : '';
    const lines = lexProperties(text.slice(bom.length));
    const eol = lines.find((line) => line.eol !== '')?.eol ?? '\n';
    return new PropertiesDocument(bom, lines, eol);
  }

  /** The unescaped value of `key`; when the key appears more than once the last one wins, as in Java. */
  get(key: string): string | undefined {
    return this.lastEntry(key)?.line.value;
  }

  /** Whether `key` is defined (possibly with an empty value). */
  has(key: string): boolean {
    return this.lastEntry(key) !== undefined;
  }

  /**
   * Sets `key` to `value`. An existing key has only its (last, effective) logical line rewritten, keeping
   * its indentation, key spelling and separator; setting the value it already has changes nothing. A new
   * key is appended as `key=value`. Keys and values are escaped as `Properties.store` would (non-ASCII
   * as `\uXXXX`).
   */
  set(key: string, value: string): void {
    const found = this.lastEntry(key);
    if (found) {
      if (found.line.value === value) return;
      const { line } = found;
      const raw = line.head + escapePropertiesValue(value) + line.eol;
      this.lines[found.index] = { ...line, value, raw, endsInContinuation: false };
      return;
    }
    const eolOfNewLine = this.terminateLastLine();
    const head = `${escapePropertiesKey(key)}=`;
    const raw = head + escapePropertiesValue(value) + eolOfNewLine;
    this.lines.push({ kind: 'entry', raw, eol: eolOfNewLine, key, value, head, endsInContinuation: false });
  }

  /** Removes every line defining `key` (so it is really gone, duplicates included); true if there was one. */
  delete(key: string): boolean {
    const before = this.lines.length;
    const kept = this.lines.filter((line) => line.kind !== 'entry' || line.key !== key);
    this.lines.splice(0, this.lines.length, ...kept);
    return kept.length !== before;
  }

  /** Every key once, in the order of its first appearance. */
  keys(): string[] {
    const keys = new Set<string>();
    for (const line of this.lines) if (line.kind === 'entry') keys.add(line.key);
    return [...keys];
  }

  /** `[key, effective value]` pairs in `keys()` order. */
  entries(): Array<[string, string]> {
    return this.keys().map((key) => [key, this.get(key)!]);
  }

  /** The document text; byte-identical to the parsed text when nothing was changed. */
  toString(): string {
    return this.bom + this.lines.map((line) => line.raw).join('');
  }

  private lastEntry(key: string): { line: EntryLine; index: number } | undefined {
    for (let index = this.lines.length - 1; index >= 0; index -= 1) {
      const line = this.lines[index]!;
      if (line.kind === 'entry' && line.key === key) return { line, index };
    }
    return undefined;
  }

  /**
   * Makes sure a line can be appended after the last one, and returns the terminator the appended line
   * should get: a file without a final newline keeps having none.
   */
  private terminateLastLine(): string {
    const index = this.lines.length - 1;
    const last = this.lines[index];
    if (last === undefined) return this.eol;
    const eol = last.eol === '' ? this.eol : last.eol;
    if (last.kind === 'entry' && last.endsInContinuation) {
      // Its trailing backslash would make the appended line part of its value: write it out closed,
      // same key and value, as the one line this append has to touch.
      const raw = last.head + escapePropertiesValue(last.value) + eol;
      this.lines[index] = { ...last, raw, eol, endsInContinuation: false };
    } else if (last.eol === '') {
      this.lines[index] = { ...last, raw: last.raw + eol, eol };
    }
    return last.eol === '' ? '' : this.eol;
  }
}
