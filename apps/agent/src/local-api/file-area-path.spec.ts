import { parseAreaPath } from './file-area-path.js';

describe('parseAreaPath (file transfer area paths)', () => {
  it('decodes the segments of a safe path; an empty path is the area itself', () => {
    expect(parseAreaPath('')).toEqual([]);
    expect(parseAreaPath('/')).toEqual([]);
    expect(parseAreaPath('reports/2026-12/day%201.csv')).toEqual(['reports', '2026-12', 'day 1.csv']);
    expect(parseAreaPath('inbox/')).toEqual(['inbox']);
    expect(parseAreaPath('caf%C3%A9.txt')).toEqual(['café.txt']);
  });

  it.each([
    ['../state/credential', 'path segment ".." is refused: paths stay inside the file area'],
    ['a/%2e%2e/b', 'path segment ".." is refused: paths stay inside the file area'],
    ['a/./b', 'path segment "." is refused: paths stay inside the file area'],
    ['a%2F..%2Fb', 'path segment "a/../b" contains a character not allowed in file names'],
    ['a%5C..%5Cb', 'path segment "a\\\\..\\\\b" contains a character not allowed in file names'],
    ['a//b', 'path has an empty segment (//)'],
    ['.ssh/authorized_keys', 'path segment ".ssh" starts with a dot: such names are reserved'],
    ['x%00y', 'path segment "x\\u0000y" contains a character not allowed in file names'],
    ['C:', 'path segment "C:" contains a character not allowed in file names'],
    ['nul.txt', 'path segment "nul.txt" is a reserved device name on Windows'],
    ['name.', 'path segment "name." ends with a space or a dot'],
    ['%E0%A4%A', 'path segment "%E0%A4%A" has malformed percent-encoding'],
    [Array(17).fill('d').join('/'), 'path has 17 levels; at most 16 are allowed'],
    ['x'.repeat(256), 'is longer than 255 bytes'],
  ])('refuses %s', (path, message) => {
    expect(() => parseAreaPath(path)).toThrow(message);
  });
});
