/** A command line that cannot be run as given: the CLIs print the message and their usage, exit 2. */
export class UsageError extends Error {}
