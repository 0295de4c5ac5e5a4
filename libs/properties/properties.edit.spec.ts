import { PropertiesDocument } from './index.js';
import { RICH_SAMPLE, RICH_SAMPLE_JAVA } from './testing/properties-sample.js';

const parse = (...lines: string[]) => PropertiesDocument.parse(lines.join('\n'));

describe('PropertiesDocument edits', () => {
  it('rewrites only the changed line, keeping its separator style', () => {
    const doc = PropertiesDocument.parse(RICH_SAMPLE);
    doc.set('colon.spaced', 'new');
    doc.set('whitespace.separator', 'new');
    doc.set('spaced', 'new');
    const expected = RICH_SAMPLE.replace('colon.spaced : value\n', 'colon.spaced : new\n')
      .replace('whitespace.separator value after whitespace', 'whitespace.separator new')
      .replace('spaced = value keeps trailing spaces  ', 'spaced = new');
    expect(doc.toString()).toBe(expected);
    expect(PropertiesDocument.parse(doc.toString()).get('colon.spaced')).toBe('new');
  });

  it('collapses a continued entry into one line and leaves the neighbours alone', () => {
    const doc = parse('a=1', 'multi = x, \\', '   y', 'b=2');
    doc.set('multi', 'z');
    expect(doc.toString()).toBe('a=1\nmulti = z\nb=2');
  });

  it('keeps the line ending of the rewritten line (CRLF) and of a last line without one', () => {
    const crlf = PropertiesDocument.parse('a=1\r\nb=2\r\n');
    crlf.set('a', 'x');
    expect(crlf.toString()).toBe('a=x\r\nb=2\r\n');
    const open = PropertiesDocument.parse('a=1\nb=2');
    open.set('b', 'y');
    expect(open.toString()).toBe('a=1\nb=y');
  });

  it('rewrites the effective (last) duplicate', () => {
    const doc = parse('a=1', 'a=2', '');
    doc.set('a', '3');
    expect(doc.toString()).toBe('a=1\na=3\n');
    expect(doc.get('a')).toBe('3');
  });

  it('adds a separator when rewriting a bare key', () => {
    const doc = parse('flag', '');
    doc.set('flag', 'on');
    expect(doc.toString()).toBe('flag=on\n');
  });

  it('changes nothing when the value is the same, even if it was written differently', () => {
    const text = 'k = caf\\u00e9 \\\n  au lait\n';
    const doc = PropertiesDocument.parse(text);
    doc.set('k', 'café au lait');
    expect(doc.toString()).toBe(text);
  });

  it('escapes values as Properties.store does', () => {
    const doc = parse('k=old', '');
    doc.set('k', ' lead=:#! C:\\dir\ttab naïve ☃ 😀\u0001');
    // Checked against Java 17 Properties.store(OutputStream).
    expect(doc.toString()).toBe(
      'k=\\ lead\\=\\:\\#\\! C\\:\\\\dir\\ttab na\\u00EFve \\u2603 \\uD83D\\uDE00\\u0001\n',
    );
    expect(PropertiesDocument.parse(doc.toString()).get('k')).toBe(' lead=:#! C:\\dir\ttab naïve ☃ 😀\u0001');
  });

  it('appends a new key as key=value with the document line ending', () => {
    const doc = PropertiesDocument.parse('# head\r\na=1\r\n');
    doc.set('café key#', ' v');
    expect(doc.toString()).toBe('# head\r\na=1\r\ncaf\\u00E9\\ key\\#=\\ v\r\n');
    expect(PropertiesDocument.parse(doc.toString()).get('café key#')).toBe(' v');
  });

  it('appends to a file without a final newline and keeps it without one', () => {
    const doc = PropertiesDocument.parse('a=1');
    doc.set('b', '2');
    expect(doc.toString()).toBe('a=1\nb=2');
  });

  it('appends to an empty document', () => {
    const doc = PropertiesDocument.parse('');
    doc.set('a', '1');
    expect(doc.toString()).toBe('a=1\n');
  });

  it.each([
    ['without a final newline', 'a=1\\', 'a=1\nb=2'],
    ['with a final newline', 'a=1\\\n', 'a=1\nb=2\n'],
    ['with CRLF', 'x=0\r\na = 1\\\r\n', 'x=0\r\na = 1\r\nb=2\r\n'],
  ])('closes a last line ending in a continuation before appending (%s)', (_name, text, expected) => {
    const doc = PropertiesDocument.parse(text);
    doc.set('b', '2');
    expect(doc.toString()).toBe(expected);
  });

  it('deletes every occurrence of a key and nothing else', () => {
    const doc = PropertiesDocument.parse(RICH_SAMPLE);
    expect(doc.delete('duplicate')).toBe(true);
    expect(doc.delete('duplicate')).toBe(false);
    expect(doc.has('duplicate')).toBe(false);
    expect(doc.toString()).toBe(RICH_SAMPLE.replace('duplicate=first\nduplicate=second\n', ''));
  });

  it('deletes a line holding only a backslash together with the entry it leads into', () => {
    const doc = parse('a=1', '\\', 'b=2');
    doc.delete('b');
    expect(doc.toString()).toBe('a=1\n');
    expect(doc.keys()).toEqual(['a']);
  });

  it('deletes a continued entry with all its lines', () => {
    const doc = parse('# keep', 'multi = a\\', '  b', 'c=3');
    doc.delete('multi');
    expect(doc.toString()).toBe('# keep\nc=3');
  });

  it('round-trips every entry of the rich sample through set on a fresh document', () => {
    const copy = PropertiesDocument.parse('');
    for (const [key, value] of Object.entries(RICH_SAMPLE_JAVA)) copy.set(key, value);
    expect(Object.fromEntries(PropertiesDocument.parse(copy.toString()).entries())).toEqual(RICH_SAMPLE_JAVA);
  });
});

/** Small seeded PRNG (mulberry32) so the random documents are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('PropertiesDocument edits on random documents', () => {
  // Fragments that combine into continuations, lone backslashes, odd separators and comments.
  const FRAGMENTS = [
    'a',
    'k',
    '=',
    ':',
    ' ',
    '\t',
    '\f',
    '\\',
    '\\',
    '\n',
    '\r',
    '\r\n',
    '#',
    '!',
    'é',
    '=v\n',
  ];
  const VALUES = ['', ' x', 'a\\b', 'é☃😀', '=:#!', 'x\ny', '\\', 'v '];

  it('reads back exactly the keys and values that were set and deleted', () => {
    const random = seededRandom(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let run = 0; run < 3000; run += 1) {
      let text = '';
      for (let n = Math.floor(random() * 30); n > 0; n -= 1) text += pick(FRAGMENTS);
      const doc = PropertiesDocument.parse(text);
      const model = new Map(doc.entries());
      const keys = [...model.keys(), 'new', 'k', 'a b', ''];
      for (let op = 0; op < 3; op += 1) {
        const key = pick(keys);
        if (random() < 0.3) {
          doc.delete(key);
          model.delete(key);
        } else {
          const value = pick(VALUES);
          doc.set(key, value);
          model.set(key, value);
        }
      }
      const reread = new Map(PropertiesDocument.parse(doc.toString()).entries());
      expect({ text, entries: [...reread].sort() }).toEqual({ text, entries: [...model].sort() });
    }
  });
});
