import { createInterface } from 'node:readline';
import { type Readable, type Writable } from 'node:stream';

/**
 * Copies a worker's output line by line with its prefix (`[worker 2] `), so the interleaved log of
 * several workers still says who wrote each line. Whole lines only: a line is never cut by another's.
 */
export function prefixLines(from: Readable | null, to: Writable, prefix: string): void {
  if (!from) return;
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
}
