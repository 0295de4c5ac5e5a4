/** A command line that cannot be run as given: the CLIs print the message and their usage, exit 2. */
export class UsageError extends Error {}

/** A value option's value from a parsed command line (a boolean option, given as `true`, has none). */
export function stringFlag(flags: ReadonlyMap<string, string | true>, flag: string): string | undefined {
  const value = flags.get(flag);
  return typeof value === 'string' ? value : undefined;
}
