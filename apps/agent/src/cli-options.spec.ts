import { parseCliOptions } from './cli-options.js';

describe('agent command line', () => {
  it('reads --home, --token and the backoff flags', () => {
    expect(
      parseCliOptions([
        '--home',
        '/opt/agent',
        '--token',
        'tok',
        '--backoff-base-ms',
        '200',
        '--backoff-max-ms=5000',
      ]),
    ).toEqual({
      kind: 'run',
      options: { home: '/opt/agent', enrollmentToken: 'tok', backoffBaseMs: 200, backoffMaxMs: 5000 },
    });
  });

  it('defaults the backoff to 1 s … 60 s and takes the token from the environment', () => {
    expect(parseCliOptions(['--home', 'h'], { SWITCHYARD_ENROLLMENT_TOKEN: 'from-env' })).toEqual({
      kind: 'run',
      options: { home: 'h', enrollmentToken: 'from-env', backoffBaseMs: 1000, backoffMaxMs: 60_000 },
    });
    expect(
      parseCliOptions(['--home', 'h', '--token', 'flag'], { SWITCHYARD_ENROLLMENT_TOKEN: 'env' }),
    ).toMatchObject({ options: { enrollmentToken: 'flag' } });
  });

  it('reports only the capabilities given with --capabilities ("" for none), all of them without it', () => {
    expect(parseCliOptions(['--home', 'h', '--capabilities', ''])).toMatchObject({
      options: { capabilities: [] },
    });
    expect(parseCliOptions(['--home', 'h', '--capabilities=mtls, wss'])).toMatchObject({
      options: { capabilities: ['mtls', 'wss'] },
    });
    const all = parseCliOptions(['--home', 'h']);
    expect(all.kind === 'run' && all.options.capabilities).toBeUndefined();
  });

  it('takes the home from $SWITCHYARD_AGENT_HOME (the package launcher) unless --home is given', () => {
    expect(parseCliOptions([], { SWITCHYARD_AGENT_HOME: '/var/lib/switchyard-agent' })).toMatchObject({
      kind: 'run',
      options: { home: '/var/lib/switchyard-agent' },
    });
    expect(parseCliOptions(['--home', 'h'], { SWITCHYARD_AGENT_HOME: '/elsewhere' })).toMatchObject({
      options: { home: 'h' },
    });
    expect(parseCliOptions([], { SWITCHYARD_AGENT_HOME: ' ' })).toEqual({
      kind: 'error',
      message: '--home DIR is required (or $SWITCHYARD_AGENT_HOME)',
    });
  });

  it('answers --help and -h', () => {
    expect(parseCliOptions(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliOptions(['-h', '--home', 'x'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--home', 'h', '--colour'], 'unknown option --colour'],
    [['--home'], '--home needs a value'],
    [
      ['--home', '--token', 't'],
      '--home needs a value (write --home=VALUE for a value that starts with a dash)',
    ],
    [['--help=yes'], '--help does not take a value'],
    [['--home', 'h', 'extra'], 'unexpected argument extra'],
    [[], '--home DIR is required (or $SWITCHYARD_AGENT_HOME)'],
    [['--home', 'h', '--token', ''], '--token needs a non-empty enrollment token'],
    [
      ['--home', 'h', '--backoff-base-ms', 'soon'],
      '--backoff-base-ms must be a whole number of milliseconds of at least 1, not "soon"',
    ],
    [
      ['--home', 'h', '--backoff-max-ms', '0'],
      '--backoff-max-ms must be a whole number of milliseconds of at least 1, not "0"',
    ],
    [
      ['--home', 'h', '--backoff-base-ms', '5000', '--backoff-max-ms', '100'],
      '--backoff-max-ms (100) must not be smaller than --backoff-base-ms (5000)',
    ],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(parseCliOptions(argv)).toEqual({ kind: 'error', message });
  });
});
