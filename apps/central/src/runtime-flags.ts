/**
 * The Node flags central runs with (`npm start` passes them, package.json; ADR 20). A push to thousands
 * of agents allocates quickly and briefly (HTTP requests, frames, query results): with V8's default
 * 16 MB semi-space, central spent ~0.5 s per 10,000-agent push in young-generation collections; with
 * 64 MB a quarter as many collections took ~0.2 s, and the push finished sooner (docs/benchmarks.md).
 */
export const CENTRAL_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** The flags this process was started without, on its command line or in NODE_OPTIONS. */
export function missingNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((flag) => flag.split('=')[0]));
  return CENTRAL_NODE_FLAGS.filter((flag) => !given.has(flag.split('=')[0]));
}
