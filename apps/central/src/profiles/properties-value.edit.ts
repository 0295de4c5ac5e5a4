import { PropertiesDocument } from '../../../../libs/properties/index.js';

/** Printable ASCII without backslashes, not starting with a blank: safe unescaped as a .properties value. */
const PLAIN_VALUE = /^[!-[\]-~][ -[\]-~]*$/;
const ENTRY_LINE = /^([ \t\f]*)([^\s=:\\#!][^\s=:\\]*)([ \t\f]*[=:][ \t\f]*|[ \t\f]+)(.*?)(\r?\n)?$/;

/**
 * The document's text with `key` set to `value`, written as an operator would type it. `Properties.store`
 * (and so `PropertiesDocument.set`) escapes every `=` and `:` of a value, which turns
 * `-Djavax.net.ssl.trustStore=conf/…` into `-Djavax.net.ssl.trustStore\=conf/…`: correct, but not what
 * anyone wrote. When the value needs no escape Java's loader cares about, the value part of the key's
 * effective line is replaced (or a `key=value` line appended) directly; the result is parsed back and used
 * only if every entry reads as intended, otherwise `set` does it the escaped way.
 */
export function setPropertyValue(doc: PropertiesDocument, key: string, value: string): string {
  const text = doc.toString();
  const old = doc.get(key);
  if (old === value) return text;
  const candidate = PLAIN_VALUE.test(value) ? plainEdit(text, key, old, value) : undefined;
  if (candidate !== undefined && readsAsIntended(doc, candidate, key, value)) return candidate;
  doc.set(key, value);
  return doc.toString();
}

function plainEdit(text: string, key: string, old: string | undefined, value: string): string | undefined {
  if (old === undefined) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const separator = text === '' || text.endsWith('\n') ? '' : eol;
    return `${text}${separator}${key}=${value}${eol}`;
  }
  const lines = text.split(/(?<=\n)/);
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = ENTRY_LINE.exec(lines[i]!);
    if (!match || match[2] !== key) continue;
    if (match[4] !== old) return undefined; // escapes or continuations: leave it to the library
    lines[i] = `${match[1]}${match[2]}${match[3]}${value}${match[5] ?? ''}`;
    return lines.join('');
  }
  return undefined;
}

function readsAsIntended(before: PropertiesDocument, text: string, key: string, value: string): boolean {
  const after = PropertiesDocument.parse(text);
  const expected = new Map(before.entries());
  expected.set(key, value);
  const actual = new Map(after.entries());
  return actual.size === expected.size && [...expected].every(([k, v]) => actual.get(k) === v);
}
