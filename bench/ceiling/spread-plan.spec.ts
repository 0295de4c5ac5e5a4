import {
  DEFAULT_MAX_SOCKETS_PER_PROCESS,
  defaultSwarmProcesses,
  planSwarms,
  serverProcessesFor,
  sourceAddresses,
} from './spread-plan.js';

describe('source addresses', () => {
  it('keeps the 19 addresses of small runs and adds one per 8,000 agents past them', () => {
    expect(sourceAddresses(2000)).toHaveLength(19);
    expect(sourceAddresses(2000)[0]).toBe('127.0.0.2');
    expect(sourceAddresses(2000)[18]).toBe('127.0.0.20');
    expect(sourceAddresses(100_000)).toHaveLength(19); // 5,264 each
    expect(sourceAddresses(100_000, 2000)).toHaveLength(50);
    expect(sourceAddresses(200_001)).toHaveLength(26);
  });

  it('refuses more addresses than 127.0.0.2–.254 and a budget that is not a positive whole number', () => {
    expect(sourceAddresses(253 * 8000)).toHaveLength(253);
    expect(sourceAddresses(253 * 8000).at(-1)).toBe('127.0.0.254');
    expect(() => sourceAddresses(253 * 8000 + 1)).toThrow(/need 254 addresses; 127.0.0.2–.254 has 253/);
    expect(() => sourceAddresses(10, 0)).toThrow(
      /agents per source address must be a positive whole number, got 0/,
    );
  });
});

describe('swarm processes', () => {
  it('uses both cores from 2,000 agents and one process per 10,000 past 20,000', () => {
    expect([1000, 1999, 2000, 10_000, 20_000, 20_001, 50_000, 100_000].map(defaultSwarmProcesses)).toEqual([
      1, 1, 2, 2, 2, 3, 5, 10,
    ]);
  });

  it('splits N into nearly equal swarms that cover every agent once, each under the socket limit', () => {
    const addresses = sourceAddresses(100_000);
    const plan = planSwarms(100_000, 6, addresses);
    expect(plan.map((s) => s.size)).toEqual([16_666, 16_666, 16_667, 16_667, 16_667, 16_667]);
    expect(plan.map((s) => s.first)).toEqual([0, 16_666, 33_332, 49_999, 66_666, 83_333]);
    expect(plan.reduce((n, s) => n + s.size, 0)).toBe(100_000);
    for (const s of plan) expect(s.size).toBeLessThanOrEqual(DEFAULT_MAX_SOCKETS_PER_PROCESS);
  });

  it("rotates each swarm's addresses so the whole run spreads evenly over them", () => {
    const addresses = sourceAddresses(100_000);
    for (const processes of [6, 7, 10]) {
      const perAddress = new Map<string, number>();
      let misplaced = 0;
      for (const slot of planSwarms(100_000, processes, addresses)) {
        for (let j = 0; j < slot.size; j++) {
          // what swarm-agent.ts does with its own index j
          const source = slot.localAddresses[j % slot.localAddresses.length];
          if (source !== addresses[(slot.first + j) % addresses.length]) misplaced++;
          perAddress.set(source, (perAddress.get(source) ?? 0) + 1);
        }
      }
      expect(misplaced).toBe(0);
      const counts = [...perAddress.values()];
      expect(perAddress.size).toBe(19);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a split over the per-process socket limit, naming the processes needed', () => {
    const addresses = sourceAddresses(100_000);
    expect(() => planSwarms(100_000, 5, addresses)).toThrow(
      '5 swarm process(es) for 100000 agents hold 20000 sockets each, over the 19000 a process may open here: use --swarm-processes 6 or more',
    );
    expect(() => planSwarms(3000, 1, addresses, 2000)).toThrow(/use --swarm-processes 2 or more/);
    expect(() => planSwarms(3, 4, addresses)).toThrow('swarm processes must be 1–3 for 3 agents, got 4');
    expect(() => planSwarms(3, 1, [])).toThrow('no source addresses to dial from');
  });
});

describe('server processes of a ceiling target', () => {
  it('counts the sockets each connection holds there against the per-process limit', () => {
    expect(serverProcessesFor(2000, 1)).toBe(1);
    expect(serverProcessesFor(19_000, 1)).toBe(1);
    expect(serverProcessesFor(19_001, 1)).toBe(2);
    expect(serverProcessesFor(100_000, 1)).toBe(6);
    // nginx holds the client's socket and the upstream's
    expect(serverProcessesFor(100_000, 2)).toBe(11);
    expect(serverProcessesFor(0, 2)).toBe(1);
  });
});
