/** JVM options text that cannot be split into arguments: an opening quote without its closing one. */
export class JvmArgsSyntaxError extends Error {
  override readonly name = 'JvmArgsSyntaxError';
}

const WHITESPACE = /[ \t\n\r\f\v]/;
// Outside quotes a backslash only escapes what would otherwise split or quote. Any other backslash is
// kept, so Windows paths (C:\certs\truststore.jks) survive without doubling.
const ESCAPABLE_OUTSIDE_QUOTES = /[ \t\n\r\f\v"'\\]/;

/**
 * Splits a JVM command line into arguments the way a POSIX shell would for the cases that matter in
 * `jetty.jvm.args`: whitespace separates; `'…'` is literal; `"…"` groups, with `\"` and `\\` inside;
 * quotes may sit inside a word (`-Dx="a b"` gives `-Dx=a b`).
 *
 * @throws JvmArgsSyntaxError for an unterminated quote
 */
export function splitJvmArgs(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (WHITESPACE.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw unterminated(c, i);
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const start = i;
      i += 1;
      while (text[i] !== '"') {
        if (i >= text.length) throw unterminated(c, start);
        const escaped = text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\');
        word += escaped ? text[i + 1] : text[i];
        i += escaped ? 2 : 1;
      }
      i += 1;
    } else if (c === '\\' && i + 1 < text.length && ESCAPABLE_OUTSIDE_QUOTES.test(text[i + 1]!)) {
      word += text[i + 1];
      i += 2;
    } else {
      word += c;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The system properties (`-Dname=value`, `-Dname` meaning an empty value) set by a JVM command line,
 * split with `splitJvmArgs`. When a property is set twice the last one wins, as in the JVM. Other
 * options (`-Xmx64m`, `-server`) are ignored.
 *
 * @throws JvmArgsSyntaxError for an unterminated quote
 */
export function parseJvmSystemProperties(jvmArgs: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const word of splitJvmArgs(jvmArgs)) {
    if (!word.startsWith('-D')) continue;
    const body = word.slice(2);
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    if (name !== '') properties.set(name, equals < 0 ? '' : body.slice(equals + 1));
  }
  return properties;
}

function unterminated(quote: string, at: number): JvmArgsSyntaxError {
  // Position rather than the text itself: the options may hold a truststore password.
  return new JvmArgsSyntaxError(`unterminated ${quote} quote (opened at character ${at + 1})`);
}
