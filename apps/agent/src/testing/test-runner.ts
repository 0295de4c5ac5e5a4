// Test helper: an AgentRunner on a test home, as agent-command builds it, with quick test timings.
import { writeFileSync } from 'node:fs';
import { parseAgentConfText } from '../agent-conf-file.js';
import type { AgentHome } from '../agent-home.js';
import { AgentRunner } from '../agent-runner.js';
import type { AgentRunnerOptions } from '../agent-runner-options.js';
import { Logger } from '../logger.js';
import { CREDENTIAL } from './profile-fixtures.js';

/**
 * Writes `text` as the home's agent.conf and makes a runner for it (not started): enrolled with
 * CREDENTIAL, logging everything into `lines`, quick backoff (20–100 ms), no jitter, conf polled every
 * 20 ms. `overrides` replace any of that.
 */
export function testRunner(
  home: AgentHome,
  text: string,
  lines: string[],
  overrides: Partial<AgentRunnerOptions> = {},
): AgentRunner {
  writeFileSync(home.confFile, text);
  const loaded = parseAgentConfText(text);
  if (!loaded.ok) throw new Error(loaded.issues.join('; '));
  return new AgentRunner({
    home,
    conf: loaded.conf,
    confText: text,
    credential: CREDENTIAL,
    enrollmentToken: undefined,
    logger: new Logger('debug', (line) => lines.push(line)),
    backoff: { baseMs: 20, maxMs: 100 },
    random: () => 0.5,
    confPollMs: 20,
    ...overrides,
  });
}
