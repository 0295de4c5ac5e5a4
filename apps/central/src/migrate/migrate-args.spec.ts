import { parseMigrateArgs, UsageError } from './migrate-args.js';

describe('switchyard-migrate arguments', () => {
  const now = new Date('2026-12-07T10:00:00Z');

  it('reads value options as given and leaves absent ones out', () => {
    expect(parseMigrateArgs(['status', '--window-hours', '48'], now)).toEqual({
      kind: 'status',
      json: false,
      windowHours: 48,
      minCertificateDays: undefined,
    });
    expect(parseMigrateArgs(['exempt', '--remove', 'store-7', '--json'], now)).toEqual({
      kind: 'exempt-remove',
      agentId: 'store-7',
      json: true,
    });
  });

  it('exempts until a time or for a duration, never both', () => {
    expect(parseMigrateArgs(['exempt', 'till-1', '--reason', 'closed', '--for', '12h'], now)).toMatchObject({
      kind: 'exempt',
      agentId: 'till-1',
      expiresAt: new Date('2026-12-07T22:00:00Z'),
    });
    expect(
      parseMigrateArgs(['exempt', 'till-1', '--reason', 'closed', '--expires', '2026-12-31T00:00:00Z'], now),
    ).toMatchObject({ expiresAt: new Date('2026-12-31T00:00:00Z') });
    expect(() =>
      parseMigrateArgs(['exempt', 'till-1', '--reason', 'x', '--for', '1d', '--expires', '2026-12-31'], now),
    ).toThrow(new UsageError('exempt needs --expires TIME or --for DURATION (e.g. 30d, 12h)'));
    expect(() => parseMigrateArgs(['exempt', 'till-1', '--reason', 'x', '--for'], now)).toThrow(
      '--for needs a value',
    );
  });
});
