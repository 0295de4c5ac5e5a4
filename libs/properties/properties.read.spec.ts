import { PropertiesDocument, PropertiesSyntaxError } from './index.js';
import { RICH_SAMPLE, RICH_SAMPLE_JAVA } from './testing/properties-sample.js';

const parse = (...lines: string[]) => PropertiesDocument.parse(lines.join('\n'));

describe('PropertiesDocument round trip', () => {
  it('prints an untouched rich sample back byte for byte', () => {
    expect(PropertiesDocument.parse(RICH_SAMPLE).toString()).toBe(RICH_SAMPLE);
  });

  it('keeps CRLF, lone CR and a missing final newline', () => {
    for (const text of [
      'a=1\r\nb=2\r\n',
      'a=1\rb=2',
      'a=1\nb=2',
      'a=\\\r\n  1\r\n# c\r\n',
      '',
      '\n\n',
      '# only',
    ]) {
      expect(PropertiesDocument.parse(text).toString()).toBe(text);
    }
  });

  it('keeps a byte-order mark without making it part of the first key', () => {
    const doc = PropertiesDocument.parse('\uFEFFcentral.host=a\n');
    expect(doc.get('central.host')).toBe('a');
    expect(doc.toString()).toBe('\uFEFFcentral.host=a\n');
  });
});

describe('PropertiesDocument reads like java.util.Properties', () => {
  it('loads the rich sample into the same map as Java 17', () => {
    const doc = PropertiesDocument.parse(RICH_SAMPLE);
    expect(Object.fromEntries(doc.entries())).toEqual(RICH_SAMPLE_JAVA);
  });

  it.each([
    ['= separator', 'k=v', 'k', 'v'],
    [': separator', 'k:v', 'k', 'v'],
    ['whitespace separator', 'k v', 'k', 'v'],
    ['whitespace around =', 'k \t = \f v', 'k', 'v'],
    ['only the first = separates', 'k==v', 'k', '=v'],
    ['whitespace then one = then another', 'k = =v', 'k', '=v'],
    ['trailing whitespace is kept', 'k=v  ', 'k', 'v  '],
    ['leading whitespace of the line is ignored', ' \t k=v', 'k', 'v'],
    ['bare key', 'k', 'k', ''],
    ['key with escaped separators', 'a\\=b\\:c\\ d=v', 'a=b:c d', 'v'],
    ['escaped leading space in value', 'k=\\  v', 'k', '  v'],
    ['unicode escapes, either case', 'k=\\u00e9\\u00C9', 'k', 'éÉ'],
    ['control escapes', 'k=\\t\\n\\r\\f', 'k', '\t\n\r\f'],
    ['unknown escapes stand for the character', 'k=\\q\\\\', 'k', 'q\\'],
    ['continuation drops leading whitespace', 'k=a\\\n   b', 'k', 'ab'],
    ['continuation with CRLF', 'k=a\\\r\n b\r\n', 'k', 'ab'],
    ['even backslashes do not continue', 'k=a\\\\\nb=c', 'k', 'a\\'],
    ['continuation at end of input', 'k=a\\', 'k', 'a'],
    ['# inside a continuation is text', 'k=a\\\n#b', 'k', 'a#b'],
  ])('%s', (_name, text, key, value) => {
    expect(PropertiesDocument.parse(text).get(key)).toBe(value);
  });

  it.each([
    ['before a key', '\\\nk=v', { k: 'v' }],
    ['before a comment, which stays a comment', '  \\\n# k=v\n', {}],
    ['before a blank line', '\\\n\nk=v', { k: 'v' }],
    ['as the last line', 'k=v\n\\\n', { k: 'v', '': '' }],
    ['as the last line, without newline', '\\', { '': '' }],
    // Java's reader peeks one character past \r\n and so finds nothing left to read.
    ['as the last line, with CRLF', 'k=v\r\n\\\r\n', { k: 'v' }],
  ])('reads a line holding only a backslash like Java (%s)', (_name, text, expected) => {
    const doc = PropertiesDocument.parse(text);
    expect(Object.fromEntries(doc.entries())).toEqual(expected);
    expect(doc.toString()).toBe(text);
  });

  it('treats # and ! lines as comments, even indented, and never continues them', () => {
    const doc = parse('# a=1', '  ! b=2 \\', 'c=3');
    expect(doc.keys()).toEqual(['c']);
  });

  it('lets the last duplicate win but lists the key once, where it first appears', () => {
    const doc = parse('a=1', 'b=2', 'a=3');
    expect(doc.get('a')).toBe('3');
    expect(doc.keys()).toEqual(['a', 'b']);
    expect(doc.entries()).toEqual([
      ['a', '3'],
      ['b', '2'],
    ]);
  });

  it('answers has/get for absent and empty keys', () => {
    const doc = parse('empty=');
    expect(doc.has('empty')).toBe(true);
    expect(doc.get('empty')).toBe('');
    expect(doc.has('missing')).toBe(false);
    expect(doc.get('missing')).toBeUndefined();
  });

  it.each([
    ['too few digits', 'ok=1\nk=\\u12', 2, '\\u12'],
    ['not hex', 'k=\\u00zz', 1, '\\u00zz'],
    ['in a key', '\\uXYZW=v', 1, '\\uXYZW'],
    ['on a continuation line', 'k=a\\\n  b\\u1\n', 2, '\\u1'],
    ['cut by the separator', 'k\\u00=e9', 1, '\\u00'],
  ])('refuses a malformed \\u escape (%s) naming the line', (_name, text, line, shown) => {
    let caught: unknown;
    try {
      PropertiesDocument.parse(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PropertiesSyntaxError);
    expect((caught as PropertiesSyntaxError).line).toBe(line);
    expect((caught as Error).message).toContain(`line ${line}`);
    expect((caught as Error).message).toContain(shown);
  });

  it('does not interpret escapes in comments', () => {
    expect(PropertiesDocument.parse('# C:\\users\nk=v').get('k')).toBe('v');
  });
});
