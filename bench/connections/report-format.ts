/** What the bench reports share, so that their tables and failure lists read alike. */
import { type Failures } from './swarm-protocol.js';

/** Markdown, the first row the header: labels (first column) left-aligned, figures right-aligned. */
export function markdownTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (row: string[]) =>
    '| ' +
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ') +
    ' |';
  const rule =
    '|' + widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|') + '|';
  return [line(rows[0]), rule, ...rows.slice(1).map(line)];
}

/** Most frequent reason first. */
export function failureCounts(c: Failures | undefined): string {
  const entries = Object.entries(c ?? {}).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ×${v}`).join(', ');
}
