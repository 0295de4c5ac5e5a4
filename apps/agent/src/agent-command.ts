import { readAgentConfFile } from './agent-conf-file.js';
import { AgentHome } from './agent-home.js';
import { AgentRunner } from './agent-runner.js';
import { parseCliOptions, USAGE } from './cli-options.js';
import { CredentialStore } from './credential-store.js';
import { LogTail } from './diagnostics/log-tail.js';
import { ExitCode } from './exit-codes.js';
import { startLocalApi } from './local-api/start-local-api.js';
import { Logger } from './logger.js';
import { recoverConfSwap } from './profiles/conf-swap.js';
import { ProfileLayout } from './profiles/profile-layout.js';
import { AGENT_VERSION } from './version.js';
import { respawn } from './upgrade/agent-restart.js';

export const NOT_ENROLLED_MESSAGE =
  'not enrolled: start once with --token <enrollment token> (create one with POST /api/agents/enrollment-tokens)';

/** Stop within 2 s of a signal even if central never answers the close handshake. */
const STOP_DEADLINE_MS = 1900;

/** `switchyard-agent --home DIR …`: runs the agent until a signal, revocation or a fatal local error. */
export async function runAgentCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const parsed = parseCliOptions(argv, env);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return ExitCode.OK;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`switchyard-agent: ${parsed.message} (see --help)\n`);
    return ExitCode.USAGE;
  }
  const { options } = parsed;
  const home = new AgentHome(options.home);

  // Before agent.conf is read: a swap a crash interrupted is completed (or undone) so conf/ is whole.
  let recovered: string[];
  try {
    recovered = recoverConfSwap(new ProfileLayout(home));
  } catch (error) {
    process.stderr.write(
      `switchyard-agent: cannot recover the interrupted profile swap in ${home.profilesDir}: ${(error as Error).message}\n`,
    );
    return ExitCode.FAILURE;
  }

  const loaded = readAgentConfFile(home.confFile);
  if (!loaded.ok && loaded.unreadable) {
    process.stderr.write(`switchyard-agent: ${loaded.issues[0]}\n`);
    return ExitCode.USAGE;
  }
  if (!loaded.ok) {
    process.stderr.write(`switchyard-agent: ${home.confFile} is invalid:\n`);
    for (const issue of loaded.issues) process.stderr.write(`  ${issue}\n`);
    return ExitCode.USAGE;
  }

  let credential: string | undefined;
  try {
    credential = new CredentialStore(home).read();
  } catch (error) {
    process.stderr.write(
      `switchyard-agent: cannot read ${home.credentialFile}: ${(error as Error).message}\n`,
    );
    return ExitCode.FAILURE;
  }
  if (credential === undefined && options.enrollmentToken === undefined) {
    process.stderr.write(`switchyard-agent: ${NOT_ENROLLED_MESSAGE}\n`);
    return ExitCode.USAGE;
  }

  // The log goes to stdout (the service manager keeps it); the tail stays in memory for diagnostics.
  const logTail = new LogTail();
  const logger = new Logger(
    loaded.conf.logLevel,
    logTail.tee((line) => process.stdout.write(line + '\n')),
  );
  logger.info(`switchyard agent ${AGENT_VERSION} starting as ${loaded.conf.agentId} (home ${home.root})`);
  for (const line of recovered) logger.warn(line);
  for (const note of loaded.notes ?? []) logger.warn(note);
  if (credential !== undefined && options.enrollmentToken !== undefined) {
    logger.info('already enrolled (state/credential holds a credential): the enrollment token is not used');
  } else if (credential === undefined) {
    logger.info('not enrolled yet: enrolling with the enrollment token');
  }

  const runner = new AgentRunner({
    home,
    conf: loaded.conf,
    confText: loaded.text,
    credential,
    enrollmentToken: options.enrollmentToken,
    capabilities: options.capabilities,
    logger,
    logTail,
    backoff: { baseMs: options.backoffBaseMs, maxMs: options.backoffMaxMs },
    env,
  });
  const localApi = await startLocalApi(home, loaded.conf, logger);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    logger.info(`${signal}: saying goodbye to central and stopping`);
    setTimeout(() => process.exit(ExitCode.OK), STOP_DEADLINE_MS).unref();
    void runner.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code: ExitCode;
  try {
    code = await runner.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await localApi?.stop();
  }
  return restartForUpgrade(runner.restartPlan, argv, home, logger) ?? code;
}

/** After an upgrade installed a new version (ADR 45): the exit code that gets it started, if any. */
function restartForUpgrade(
  plan: AgentRunner['restartPlan'],
  argv: string[],
  home: AgentHome,
  logger: Logger,
): ExitCode | undefined {
  if (plan?.kind === 'service-manager') {
    logger.info(`exiting with ${plan.exitCode}: the service manager starts the new version`);
    return plan.exitCode;
  }
  if (plan?.kind === 'respawn') {
    const pid = respawn(plan.launcher, argv, home.stateDir);
    logger.info(`started the new version (launcher pid ${pid ?? 'unknown'}); this process ends`);
    return ExitCode.OK;
  }
  return undefined;
}
