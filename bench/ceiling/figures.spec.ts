import { formatRatio, perConnection, ratio, ratiosToBare, type TargetFigures } from './figures.js';

const figures = (over: Partial<TargetFigures>): TargetFigures => ({
  target: 'bare',
  agents: 2000,
  held: 2000,
  processes: 1,
  connectAllMs: 4000,
  kbPerConnection: 30,
  cpuMsPerConnection: 1.2,
  ...over,
});

describe('ceiling figures', () => {
  it('spreads a growth over the connections, and says NaN when there were none', () => {
    expect(perConnection(100_000, 160_000, 2000)).toBe(30);
    expect(perConnection(100, 50, 10)).toBe(-5);
    expect(perConnection(100, 200, 0)).toBeNaN();
  });

  it('divides only finite figures by a positive one', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(3, -1)).toBeNaN();
    expect(ratio(NaN, 2)).toBeNaN();
    expect(ratio(3, undefined)).toBeNaN();
  });

  it("compares a target with bare, PostgreSQL counted on top of the target's own CPU", () => {
    const bare = figures({
      restart: { agents: 2000, back: 2000, missing: 0, backMs: { p50: 1000, p99: 4000, max: 5000 } },
    });
    const switchyard = figures({
      target: 'switchyard',
      connectAllMs: 6000,
      kbPerConnection: 46.5,
      cpuMsPerConnection: 3.6,
      dbCpuMsPerConnection: 4.2,
      restart: { agents: 2000, back: 2000, missing: 0, backMs: { p50: 3000, p99: 10_000, max: 12_000 } },
    });
    const r = ratiosToBare(switchyard, bare)!;
    expect(r.kb).toBeCloseTo(1.55);
    expect(r.cpu).toBeCloseTo(3);
    expect(r.cpuWithDb).toBeCloseTo(6.5);
    expect(r.connectAll).toBe(1.5);
    expect(r.restartP99).toBe(2.5);
    // nginx has no database: its CPU with PostgreSQL is its CPU
    expect(ratiosToBare(figures({ target: 'nginx', cpuMsPerConnection: 2.4 }), bare)!.cpuWithDb).toBe(2);
    // no restart on one side: no ratio
    expect(ratiosToBare(figures({}), figures({ restart: undefined }))!.restartP99).toBeNaN();
  });

  it('gives no ratios without a bare run to compare with', () => {
    expect(ratiosToBare(figures({ target: 'switchyard' }), undefined)).toBeUndefined();
    expect(
      ratiosToBare(figures({ target: 'switchyard' }), figures({ skipped: 'did not start' })),
    ).toBeUndefined();
    expect(formatRatio(1.554)).toBe('1.55×');
    expect(formatRatio(NaN)).toBe('–');
    expect(formatRatio(undefined)).toBe('–');
  });
});
