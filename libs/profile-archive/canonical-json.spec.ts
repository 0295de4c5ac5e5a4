import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, whatever order the object was built in', () => {
    const a = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe(
      '{\n  "a": {\n    "c": "x",\n    "d": [\n      3,\n      {\n        "y": null,\n        "z": true\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('sorts integer-like keys as strings, which JSON.stringify does not', () => {
    expect(canonicalJson({ '9': 0, '10': 0, a: 0 })).toBe('{\n  "10": 0,\n  "9": 0,\n  "a": 0\n}\n');
  });

  it('lays out like JSON.stringify(value, null, 2) when keys are already sorted', () => {
    const value = { a: [], b: {}, c: 'é "quoted" \n', d: -1.5, e: [1, 'two'], f: false };
    expect(canonicalJson(value)).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    expect(canonicalJson(bare)).toBe('{\n  "a": 1,\n  "b": 2\n}\n');
  });

  it.each([
    ['undefined', { a: undefined }, '$.a (undefined)'],
    ['NaN', [Number.NaN], '$[0] (NaN)'],
    ['Infinity', { n: Infinity }, '$.n (Infinity)'],
    ['a bigint', { n: 1n }, '$.n (bigint)'],
    ['a Date', { when: new Date(0) }, '$.when (Date)'],
    ['a function', { f: () => 1 }, '$.f (function)'],
  ])('refuses %s', (_name, value, what) => {
    expect(() => canonicalJson(value)).toThrow(
      new TypeError(`canonicalJson: ${what} has no canonical JSON form`),
    );
  });
});
