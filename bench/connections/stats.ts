export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; zeros for an empty sample. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] };
}

export function mergeCounts(
  into: Record<string, number>,
  from: Record<string, number>,
): Record<string, number> {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
  return into;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds since the epoch with performance.now()'s resolution, comparable across processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now();
