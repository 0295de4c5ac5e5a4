import { ConfigError } from '../config/central-config.js';
import { MAX_WORKERS, hostFacts, loadWorkersSetting, workerCount } from './worker-count.js';

describe('SWITCHYARD_WORKERS', () => {
  it('defaults to auto and reads a fixed number', () => {
    expect(loadWorkersSetting({})).toEqual({ workers: 'auto', fleetSize: undefined });
    expect(loadWorkersSetting({ SWITCHYARD_WORKERS: '3', SWITCHYARD_FLEET_SIZE: '50000' })).toEqual({
      workers: 3,
      fleetSize: 50_000,
    });
  });

  it('refuses a wrong value naming the variable', () => {
    for (const value of ['0', 'two', String(MAX_WORKERS + 1)]) {
      expect(() => loadWorkersSetting({ SWITCHYARD_WORKERS: value })).toThrow(ConfigError);
      expect(() => loadWorkersSetting({ SWITCHYARD_WORKERS: value })).toThrow(
        /SWITCHYARD_WORKERS: must be "auto" or a whole number between 1 and 64/,
      );
    }
    expect(() => loadWorkersSetting({ SWITCHYARD_FLEET_SIZE: '-5' })).toThrow(/SWITCHYARD_FLEET_SIZE/);
  });

  it('auto: one worker per core, more when the fleet does not fit in their descriptor budgets', () => {
    const auto = (fleetSize: number | undefined, cores: number, perProcessBudget: number | undefined) =>
      workerCount({ workers: 'auto', fleetSize }, { cores, perProcessBudget, databaseWorkers: undefined })
        .count;
    expect(auto(undefined, 2, 19_000)).toBe(2);
    expect(auto(undefined, 1, 19_000)).toBe(1); // one core: one process, no primary
    expect(auto(30_000, 2, 19_000)).toBe(2);
    expect(auto(100_000, 2, 19_000)).toBe(6); // ceil(100,000 / 19,000)
    expect(auto(100_000, 2, undefined)).toBe(2); // no budget found: cores
    expect(auto(10_000_000, 2, 1_000)).toBe(MAX_WORKERS);
  });

  it('auto stays within the pools the embedded PostgreSQL can serve', () => {
    expect(
      hostFacts({ maxAgentConnections: 1000, databaseUrl: undefined, databasePoolSize: 10 }),
    ).toMatchObject({ perProcessBudget: 1000, databaseWorkers: 8 });
    expect(
      hostFacts({ maxAgentConnections: 1000, databaseUrl: 'postgres://h/db', databasePoolSize: 10 })
        .databaseWorkers,
    ).toBeUndefined();
    const capped = workerCount(
      { workers: 'auto', fleetSize: undefined },
      { cores: 16, perProcessBudget: 19_000, databaseWorkers: 8 },
    );
    expect(capped.count).toBe(8);
    expect(capped.why).toContain("the embedded PostgreSQL's connections serve 8 pools");
  });

  it('a fixed number wins over auto', () => {
    expect(
      workerCount(
        { workers: 1, fleetSize: 100_000 },
        { cores: 8, perProcessBudget: 1000, databaseWorkers: 8 },
      ),
    ).toEqual({
      count: 1,
      why: 'SWITCHYARD_WORKERS',
    });
  });
});
