import { parseFlags, type CliParse } from './cli-flags.js';

export interface AgentRunOptions {
  home: string;
  enrollmentToken: string | undefined;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** `--capabilities`: what the agent reports instead of all it has (labs and tests). */
  capabilities: string[] | undefined;
}

export type CliParseResult = CliParse<AgentRunOptions>;

export const DEFAULT_BACKOFF_BASE_MS = 1000;
export const DEFAULT_BACKOFF_MAX_MS = 60_000;
export const ENROLLMENT_TOKEN_ENV = 'SWITCHYARD_ENROLLMENT_TOKEN';
/** The home when --home is not given: the package's launcher and service units set it (docs/agent.md). */
export const AGENT_HOME_ENV = 'SWITCHYARD_AGENT_HOME';

export const USAGE = `Usage: switchyard-agent --home DIR [--token ENROLLMENT_TOKEN] [options]

Connects this agent to Switchyard central over ws:// or wss:// as DIR/conf/agent.conf says,
and stays connected (reconnecting with backoff) until stopped with SIGINT or SIGTERM.

Options:
  --home DIR               the agent's home: conf/agent.conf, state/ (credential, status.json);
                           default $${AGENT_HOME_ENV} (the package's launcher sets it)
  --token TOKEN            enrollment token for the first start (create one with
                           POST /api/agents/enrollment-tokens); also read from $${ENROLLMENT_TOKEN_ENV}.
                           Ignored once the agent holds a credential in state/credential.
  --backoff-base-ms N      first reconnect delay ceiling in ms (default ${DEFAULT_BACKOFF_BASE_MS})
  --backoff-max-ms N       largest reconnect delay ceiling in ms (default ${DEFAULT_BACKOFF_MAX_MS})
  --capabilities LIST      report only these capabilities (comma-separated, "" for none) instead of
                           all the agent has, to stand in for an older agent in labs and tests;
                           with --capabilities "" central lists it as unable to do wss
  -h, --help               show this help

Exit codes: 0 stopped, 1 local failure, 2 bad usage, invalid agent.conf or not enrolled,
            3 central revoked this agent.
`;

/** Parses the agent's command line; errors name the offending flag. Never throws. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv = {}): CliParseResult {
  const flags = parseFlags(argv, {
    home: { type: 'string' },
    token: { type: 'string' },
    'backoff-base-ms': { type: 'string' },
    'backoff-max-ms': { type: 'string' },
    capabilities: { type: 'string' },
  });
  if (flags.kind !== 'flags') return flags;
  const { values } = flags;

  const home = (values.home as string | undefined) ?? env[AGENT_HOME_ENV];
  if (home === undefined || home.trim() === '') {
    return { kind: 'error', message: `--home DIR is required (or $${AGENT_HOME_ENV})` };
  }

  const token = (values.token as string | undefined) ?? env[ENROLLMENT_TOKEN_ENV];
  if (values.token !== undefined && (values.token as string).trim() === '') {
    return { kind: 'error', message: '--token needs a non-empty enrollment token' };
  }

  const base = positiveInteger(values['backoff-base-ms'] as string | undefined, '--backoff-base-ms');
  if (typeof base === 'string') return { kind: 'error', message: base };
  const max = positiveInteger(values['backoff-max-ms'] as string | undefined, '--backoff-max-ms');
  if (typeof max === 'string') return { kind: 'error', message: max };
  const backoffBaseMs = base ?? DEFAULT_BACKOFF_BASE_MS;
  const backoffMaxMs = max ?? Math.max(DEFAULT_BACKOFF_MAX_MS, backoffBaseMs);
  if (backoffMaxMs < backoffBaseMs) {
    return {
      kind: 'error',
      message: `--backoff-max-ms (${backoffMaxMs}) must not be smaller than --backoff-base-ms (${backoffBaseMs})`,
    };
  }

  return {
    kind: 'run',
    options: {
      home,
      enrollmentToken: token?.trim() ? token.trim() : undefined,
      backoffBaseMs,
      backoffMaxMs,
      capabilities: capabilityList(values.capabilities as string | undefined),
    },
  };
}

function capabilityList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
}

function positiveInteger(value: string | undefined, flag: string): number | string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    return `${flag} must be a whole number of milliseconds of at least 1, not "${value}"`;
  }
  return Number(value);
}
