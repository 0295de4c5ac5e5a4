import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** What a command line asks for: run with these options, show the help, or an error naming the flag. */
export type CliParse<T> = { kind: 'run'; options: T } | { kind: 'help' } | { kind: 'error'; message: string };

/** Flag values by name: strings, or true for a boolean flag given. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * The agent's commands (run, connector) parse their flags the same way: strictly, no positionals,
 * `-h/--help` answered before anything is checked. Never throws; an error names the offending flag.
 */
export function parseFlags(
  argv: string[],
  options: ParseArgsOptionsConfig,
): { kind: 'flags'; values: FlagValues } | { kind: 'help' } | { kind: 'error'; message: string } {
  let values: FlagValues;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    }).values as FlagValues;
  } catch (error) {
    return { kind: 'error', message: parseArgsMessage(error as Error & { code?: string }) };
  }
  return values.help ? { kind: 'help' } : { kind: 'flags', values };
}

/** Node's parseArgs messages are long and mention positionals; say which flag is wrong, briefly. */
function parseArgsMessage(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "Option '--home <value>' argument missing", "Option '-h, --help' does not take an argument",
      // "Option '--home' argument is ambiguous." (the next word starts with a dash)
      const flag =
        (quoted ?? '')
          .replace(/ <value>$/, '')
          .split(', ')
          .pop() || 'an option';
      if (error.message.includes('does not take an argument')) return `${flag} does not take a value`;
      if (error.message.includes('ambiguous')) {
        return `${flag} needs a value (write ${flag}=VALUE for a value that starts with a dash)`;
      }
      return `${flag} needs a value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ?? error.message}`;
    default:
      return error.message;
  }
}
