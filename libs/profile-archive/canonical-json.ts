/**
 * Canonical JSON text: object keys sorted by UTF-16 code units at every level, two-space indentation, LF line
 * ends and a final newline — the layout of `JSON.stringify(value, null, 2)`, but with an order that does not
 * depend on how the object was built (JavaScript enumerates integer-like keys first, so the serializer is
 * ours rather than `JSON.stringify` on a re-sorted object). Same value ⇒ same bytes, which the manifest
 * signature and archive determinism rely on.
 *
 * Accepts plain objects, arrays, strings, booleans, null and finite numbers only.
 *
 * @throws TypeError for anything else (undefined, NaN, Infinity, bigint, functions, class instances).
 */
export function canonicalJson(value: unknown): string {
  return `${serialize(value, '', '$')}\n`;
}

const INDENT = '  ';

function serialize(value: unknown, indent: string, where: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw unsupported(value, where);
    return JSON.stringify(value);
  }
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item, index) => inner + serialize(item, inner, `${where}[${index}]`));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    const members = keys.map(
      (key) => `${inner}${JSON.stringify(key)}: ${serialize(value[key], inner, `${where}.${key}`)}`,
    );
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  throw unsupported(value, where);
}

function unsupported(value: unknown, where: string): TypeError {
  const kind =
    typeof value === 'object'
      ? ((value as object).constructor?.name ?? 'object')
      : typeof value === 'number'
        ? String(value)
        : typeof value;
  return new TypeError(`canonicalJson: ${where} (${kind}) has no canonical JSON form`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
