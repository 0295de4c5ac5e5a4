import { runAgentCommand } from './agent-command.js';
import { runConnectorCommand } from './connector/connector-command.js';
import { ExitCode } from './exit-codes.js';
import { runHashPasswordCommand } from './local-api/hash-password-command.js';

type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;

/** Sub-commands by name (`switchyard-agent <name> …`); without one, the agent itself runs. */
const SUB_COMMANDS: Record<string, Command> = {
  connector: runConnectorCommand,
  'hash-password': (argv, env) => runHashPasswordCommand(argv, env),
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const subCommand =
    first !== undefined && Object.hasOwn(SUB_COMMANDS, first) ? SUB_COMMANDS[first] : undefined;
  return subCommand ? subCommand(rest, process.env) : runAgentCommand(argv, process.env);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `switchyard-agent: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exit(ExitCode.FAILURE);
  },
);
