import { PropertiesSyntaxError } from './properties.errors.js';
import { MalformedEscapeError, unescapeProperties } from './properties.escape.js';
import { type EntryLine, type PropertiesLine } from './properties.lines.js';

/** A line as it sits in the file, before continuations are joined. */
interface NaturalLine {
  readonly text: string;
  readonly eol: string;
  /** 1-based. */
  readonly number: number;
}

/** Where each natural line's contribution starts inside a joined logical line (for error line numbers). */
interface Piece {
  readonly at: number;
  readonly line: number;
}

// Java's whitespace set for .properties is exactly space, tab and form feed (not other Unicode spaces).
const LEADING_WHITESPACE = /^[ \t\f]*/;
const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\f';

/**
 * Splits properties text into trivia and entry lines with the same rules as Java's
 * `Properties.load(Reader)`: `\n`, `\r\n` and `\r` end lines; leading whitespace is ignored; a line whose
 * first non-blank character is `#` or `!` is a comment (and never continues); a line ending in an odd
 * number of backslashes continues on the next one, whose leading whitespace is dropped.
 *
 * @throws PropertiesSyntaxError for a malformed `\uXXXX` escape in a key or value
 */
export function lexProperties(text: string): PropertiesLine[] {
  const natural = splitNaturalLines(text);
  const out: PropertiesLine[] = [];
  // Lines made of a lone continuation backslash, waiting to be glued to the line they lead into.
  let lead = '';
  let i = 0;
  while (i < natural.length) {
    const first = natural[i]!;
    const indent = LEADING_WHITESPACE.exec(first.text)![0];
    const body = first.text.slice(indent.length);
    if (body === '\\' && !isEndOfInput(natural, i)) {
      // Contributes nothing: Java is still at the start of a logical line when it reads the next line
      // (which may then be a comment or blank). It travels with that next line, so deleting or
      // appending never leaves it last, where Java would read it as an empty key.
      lead += first.text + first.eol;
      i += 1;
    } else if (body === '' || body.startsWith('#') || body.startsWith('!')) {
      out.push({ kind: 'trivia', raw: lead + first.text + first.eol, eol: first.eol });
      lead = '';
      i += 1;
    } else {
      const read = readEntry(natural, i, lead);
      out.push(read.entry);
      lead = '';
      i = read.next;
    }
  }
  if (lead !== '') out.push({ kind: 'trivia', raw: lead, eol: natural.at(-1)!.eol });
  return out;
}

/**
 * Whether Java's reader meets the end of input right after line `i`. It looks one character past a
 * `\r\n` ending before noticing, so a last line ending in `\r\n` does not count.
 */
function isEndOfInput(natural: readonly NaturalLine[], i: number): boolean {
  return i + 1 === natural.length && natural[i]!.eol !== '\r\n';
}

/**
 * Reads the entry whose logical line starts at natural line `i`, following continuations; `lead` is
 * source text that precedes it and belongs to it.
 */
function readEntry(
  natural: readonly NaturalLine[],
  i: number,
  lead: string,
): { entry: EntryLine; next: number } {
  const indent = LEADING_WHITESPACE.exec(natural[i]!.text)![0];
  let raw = lead;
  let content = '';
  let eol = '';
  const pieces: Piece[] = [];
  let line = natural[i]!;
  let piece = line.text.slice(indent.length);
  let continued = false;
  for (;;) {
    raw += line.text + line.eol;
    eol = line.eol;
    i += 1;
    continued = endsWithOddBackslashes(piece);
    pieces.push({ at: content.length, line: line.number });
    content += continued ? piece.slice(0, -1) : piece;
    // A continuation on the last line of the file just ends the entry (Java drops the backslash).
    if (!continued || i >= natural.length) break;
    line = natural[i]!;
    piece = line.text.replace(LEADING_WHITESPACE, '');
  }
  const entry: EntryLine = {
    kind: 'entry',
    ...splitEntry(lead + indent, content, pieces),
    raw,
    eol,
    endsInContinuation: continued,
  };
  return { entry, next: i };
}

/** True when `text` ends in an odd number of backslashes, i.e. the last one is not itself escaped. */
export function endsWithOddBackslashes(text: string): boolean {
  let count = 0;
  for (let j = text.length - 1; j >= 0 && text[j] === '\\'; j -= 1) count += 1;
  return count % 2 === 1;
}

function splitNaturalLines(text: string): NaturalLine[] {
  const lines: NaturalLine[] = [];
  const terminator = /\r\n|\r|\n/g;
  let start = 0;
  let match: RegExpExecArray | null;
  while ((match = terminator.exec(text)) !== null) {
    lines.push({ text: text.slice(start, match.index), eol: match[0], number: lines.length + 1 });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '', number: lines.length + 1 });
  return lines;
}

/** Splits a joined logical line into key and value the way `Properties.load0` does. */
function splitEntry(
  indent: string,
  content: string,
  pieces: Piece[],
): Pick<EntryLine, 'key' | 'value' | 'head'> {
  let keyEnd = 0;
  let valueStart = content.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < content.length; keyEnd += 1) {
    const c = content[keyEnd]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isWhitespace(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  // After the key: whitespace, then at most one `=` or `:` if the key ended on whitespace, then whitespace.
  for (; valueStart < content.length; valueStart += 1) {
    const c = content[valueStart]!;
    if (isWhitespace(c)) continue;
    if (!hasSeparator && (c === '=' || c === ':')) {
      hasSeparator = true;
      continue;
    }
    break;
  }
  const key = unescapeAt(content, 0, keyEnd, pieces);
  const value = unescapeAt(content, valueStart, content.length, pieces);
  // A bare key ("flag") has no separator at all; a rewrite must add one or the value would join the key.
  const separatorless = keyEnd === content.length;
  const head = indent + content.slice(0, valueStart) + (separatorless ? '=' : '');
  return { key, value, head };
}

function unescapeAt(content: string, from: number, to: number, pieces: Piece[]): string {
  try {
    return unescapeProperties(content, from, to);
  } catch (error) {
    if (!(error instanceof MalformedEscapeError)) throw error;
    const line = pieces.findLast((p) => p.at <= error.index)!.line;
    const shown = content.slice(error.index, Math.min(error.index + 6, to));
    throw new PropertiesSyntaxError(
      line,
      `line ${line}: malformed \\uXXXX escape "${shown}" (a \\u must be followed by four hex digits)`,
    );
  }
}
