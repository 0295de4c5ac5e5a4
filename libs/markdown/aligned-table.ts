/**
 * A markdown table with padded columns, as prettier formats it: generated reference tables (agent.conf
 * keys, central's environment) then survive `prettier --write` unchanged, so the tests comparing them
 * with the committed docs do not fight the formatter.
 */
export function alignedTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** A table cell: pipes would end the cell and line breaks the row. */
export function tableCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
