import { UsageError } from './certmgr-args.js';
import { isRotateCommand, parseRotateArgs } from './rotate-args.js';

describe('certmgr -rotate-* arguments', () => {
  it('recognises rotation commands', () => {
    expect(isRotateCommand(['-rotate-status'])).toBe(true);
    expect(isRotateCommand(['--rotate-abort', '-reason', 'x'])).toBe(true);
    expect(isRotateCommand(['-show'])).toBe(false);
  });

  it('parses each command', () => {
    expect(
      parseRotateArgs([
        '-rotate-stage',
        '-cert',
        'a.crt',
        '-key',
        'a.key',
        '-chain',
        'ca.crt',
        '-reason',
        'own CA',
      ]),
    ).toEqual({
      kind: 'rotate-stage',
      files: ['a.crt', 'a.key', 'ca.crt'],
      password: undefined,
      hosts: undefined,
      reason: 'own CA',
      json: false,
    });
    expect(
      parseRotateArgs(['-rotate-stage', '-pkcs12', 'a.pfx', '-pass', 'pw', '-reason', 'r', '-hosts', 'A,b']),
    ).toMatchObject({
      files: ['a.pfx'],
      password: 'pw',
      hosts: ['a', 'b'],
    });
    expect(parseRotateArgs(['-rotate-status', '-json', '-limit', '10'])).toEqual({
      kind: 'rotate-status',
      json: true,
      limit: 10,
    });
    expect(
      parseRotateArgs(['-rotate-advance', '-reason', 'go', '-force', '-acknowledge', 'a, b', '-no-cleanup']),
    ).toEqual({
      kind: 'rotate-advance',
      reason: 'go',
      force: true,
      acknowledge: ['a', 'b'],
      cleanup: false,
      json: false,
    });
    expect(parseRotateArgs(['-rotate-abort', '-reason', 'back', '-no-revert'])).toEqual({
      kind: 'rotate-abort',
      reason: 'back',
      revert: false,
      json: false,
    });
  });

  it.each([
    [['-rotate-stage', '-cert', 'a.crt', '-key', 'a.key'], /needs -reason/],
    [['-rotate-stage', '-cert', 'a.crt', '-reason', 'r'], /needs -cert FILE -key FILE/],
    [['-rotate-stage', '-pkcs12', 'a.pfx', '-reason', 'r'], /-pkcs12 needs -pass/],
    [['-rotate-status', '-reason', 'r'], /-reason do not go with -rotate-status/],
    [['-rotate-status', '-rotate-abort'], /choose one of/],
    [['-rotate-advance', '-reason', 'r', '-acknowledge', 'a'], /-acknowledge goes with -force/],
    [['-rotate-abort', '-reason'], /-reason needs a value/],
    [['-rotate-status', '-limit', '0'], /-limit must be 1-1000/],
    [['-rotate-status', 'extra'], /unexpected argument "extra"/],
  ])('%j → usage error %s', (argv, message) => {
    expect(() => parseRotateArgs(argv)).toThrow(UsageError);
    expect(() => parseRotateArgs(argv)).toThrow(message);
  });
});
