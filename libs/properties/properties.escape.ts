/**
 * Java `.properties` escaping, character for character as `java.util.Properties` does it
 * (`loadConvert` when reading, `saveConvert` when storing).
 */

/** Thrown by `unescapeProperties` for a bad `\u` escape; the lexer turns it into a line number. */
export class MalformedEscapeError extends Error {
  /** @param index position of the backslash in the text that was being unescaped */
  constructor(readonly index: number) {
    super('malformed \\uXXXX escape');
  }
}

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { t: '\t', r: '\r', n: '\n', f: '\f' };
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/**
 * Unescapes `text.slice(from, to)` like `Properties.load`: `\t \r \n \f`, `\uXXXX` (exactly four hex
 * digits, else MalformedEscapeError), and a backslash before any other character stands for that character.
 * A lone backslash at the very end is dropped (the lexer never leaves one: it is a line continuation).
 */
export function unescapeProperties(text: string, from = 0, to = text.length): string {
  const first = text.indexOf('\\', from);
  if (first < 0 || first >= to) return text.slice(from, to);
  let out = text.slice(from, first);
  let i = first;
  while (i < to) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined || i + 1 >= to) break;
    if (next === 'u') {
      const hex = text.slice(i + 2, Math.min(i + 6, to));
      if (!HEX4.test(hex)) throw new MalformedEscapeError(i);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 6;
    } else {
      out += CONTROL_ESCAPES[next] ?? next;
      i += 2;
    }
  }
  return out;
}

/** Escapes a key as `Properties.store` writes it: every space escaped, non-ASCII as `\uXXXX`. */
export function escapePropertiesKey(key: string): string {
  return saveConvert(key, true);
}

/**
 * Escapes a value as `Properties.store` writes it: only a leading space escaped, `= : # !` and
 * backslashes escaped, control and non-ASCII characters as `\uXXXX`. The output reads back to the same
 * value whatever separator precedes it and whether the file is read as ISO-8859-1 or UTF-8.
 */
export function escapePropertiesValue(value: string): string {
  return saveConvert(value, false);
}

function saveConvert(text: string, escapeSpace: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    switch (c) {
      case '\\':
        out += '\\\\';
        break;
      case ' ':
        out += i === 0 || escapeSpace ? '\\ ' : ' ';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      case '=':
      case ':':
      case '#':
      case '!':
        out += `\\${c}`;
        break;
      default:
        out += code < 0x20 || code > 0x7e ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : c;
    }
  }
  return out;
}
