// Test helper: a temp agent home, fake centrals and runners for one describe block, cleaned up after
// each test.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentHome } from '../agent-home.js';
import type { AgentRunner } from '../agent-runner.js';
import type { AgentRunnerOptions } from '../agent-runner-options.js';
import type { AgentStatus } from '../status-file.js';
import { FakeCentral } from './fake-central.js';
import { testRunner } from './test-runner.js';

export const TOKEN = 'syt_' + 't'.repeat(43);

export interface RunnerTestbed {
  readonly dir: string;
  readonly home: AgentHome;
  readonly lines: string[];
  /** A fake central, closed after the test. */
  central(options?: Parameters<typeof FakeCentral.start>[0]): Promise<FakeCentral>;
  /** A runner for `text` (not started) that enrolls with TOKEN unless `overrides` say otherwise; stopped after the test. */
  runner(text: string, overrides?: Partial<AgentRunnerOptions>): AgentRunner;
  writeConf(text: string): void;
  status(): AgentStatus;
  log(): string;
}

/** Registers beforeEach/afterEach in the calling describe block. */
export function runnerTestbed(): RunnerTestbed {
  let dir = '';
  let home: AgentHome | undefined;
  const lines: string[] = [];
  const centrals: FakeCentral[] = [];
  const runners: AgentRunner[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-'));
    home = new AgentHome(dir);
    mkdirSync(join(dir, 'conf', 'security'), { recursive: true });
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await Promise.all(centrals.splice(0).map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const bed: RunnerTestbed = {
    get dir() {
      return dir;
    },
    get home() {
      if (!home) throw new Error('the testbed is set up in beforeEach');
      return home;
    },
    lines,
    async central(options = {}) {
      const central = await FakeCentral.start(options);
      centrals.push(central);
      return central;
    },
    runner(text, overrides = {}) {
      const runner = testRunner(bed.home, text, lines, {
        credential: undefined,
        enrollmentToken: TOKEN,
        confPollMs: 25,
        ...overrides,
      });
      runners.push(runner);
      return runner;
    },
    writeConf: (text) => writeFileSync(bed.home.confFile, text),
    status: () => JSON.parse(readFileSync(bed.home.statusFile, 'utf8')) as AgentStatus,
    log: () => lines.join('\n'),
  };
  return bed;
}
