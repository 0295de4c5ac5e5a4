import { EventBus } from '../common/event-bus.js';
import { type RolloutsService } from '../rollouts/rollouts.service.js';
import { MAX_PUSHED_AGENTS, RolloutProgressPoller } from './rollout-progress.poller.js';
import {
  type RolloutProgressPrint,
  type RolloutProgressRepository,
} from '../rollouts/rollout-progress.repository.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1150));

describe('RolloutProgressPoller', () => {
  let prints: RolloutProgressPrint[];
  let agentCount: Record<string, number>;
  let pushed: Array<Array<Record<string, unknown>>>;
  let agentReads: string[];
  let poller: RolloutProgressPoller;

  beforeEach(() => {
    prints = [{ id: 'r1', print: 'running,wave 1,0 applied' }];
    agentCount = { r1: 2, r2: MAX_PUSHED_AGENTS + 1, r3: MAX_PUSHED_AGENTS };
    pushed = [];
    const bus = new EventBus();
    bus.on('rollouts.progress.changed', ({ rollouts }) => {
      pushed.push(rollouts as unknown as Array<Record<string, unknown>>);
    });
    const progress = { prints: () => Promise.resolve(prints) } as unknown as RolloutProgressRepository;
    agentReads = [];
    const rollouts = {
      summary: (id: string) => Promise.resolve({ id, waveProgress: [], targetCount: agentCount[id] ?? 0 }),
      withAgents: ({ id }: { id: string }, page: { limit: number; offset: number }) => {
        agentReads.push(id);
        const total = agentCount[id] ?? 0;
        const shown = Math.min(total - page.offset, page.limit);
        return Promise.resolve({
          id,
          waveProgress: [],
          targetCount: total,
          agentsTotal: total,
          agents: Array.from({ length: shown }, (_, i) => ({ agentId: `a${page.offset + i}` })),
        });
      },
    } as unknown as RolloutsService;
    poller = new RolloutProgressPoller(progress, rollouts, bus);
  });

  afterEach(() => poller.onModuleDestroy());

  it('pushes only rollouts whose progress moved, never the baseline', async () => {
    poller.watch();
    await tick();
    expect(pushed).toEqual([]); // what the browser loads itself is not pushed again

    prints = [{ id: 'r1', print: 'running,wave 1,1 applied' }];
    await tick();
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.map((r) => r.id)).toEqual(['r1']);
    expect(pushed[0]![0]!.agents).toHaveLength(2);

    await tick();
    expect(pushed).toHaveLength(1); // nothing moved: nothing sent
  }, 10_000);

  it('leaves the agents of a big rollout out of the push and says so', async () => {
    poller.watch();
    await tick();
    prints = [...prints, { id: 'r2', print: 'running,wave 1' }];
    await tick();
    expect(pushed).toHaveLength(1);
    const [big] = pushed[0]!;
    expect(big!.id).toBe('r2');
    expect(big!.agents).toBeUndefined();
    expect(big!.agentsOmitted).toBe(true);
    expect(big!.targetCount).toBe(MAX_PUSHED_AGENTS + 1);
    expect(agentReads).not.toContain('r2'); // its agents are not even read
  }, 10_000);

  it('pushes every agent of a rollout at the limit, not just the first page', async () => {
    poller.watch();
    await tick();
    prints = [...prints, { id: 'r3', print: 'running,wave 1' }];
    await tick();
    expect(pushed[0]![0]!.agents).toHaveLength(MAX_PUSHED_AGENTS);
  }, 10_000);

  it('stops reading when the last browser leaves', async () => {
    let reads = 0;
    const counting = {
      prints: () => ((reads += 1), Promise.resolve(prints)),
    } as unknown as RolloutProgressRepository;
    const p = new RolloutProgressPoller(counting, {} as RolloutsService, new EventBus());
    p.watch();
    p.watch();
    p.unwatch();
    await tick();
    const whileWatched = reads;
    expect(whileWatched).toBeGreaterThanOrEqual(2);
    p.unwatch();
    await tick();
    expect(reads).toBe(whileWatched);
  }, 10_000);
});
