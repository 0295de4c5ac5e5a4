import { AGENT_CONF_KEYS } from './agent-conf.keys.js';

/**
 * The agent.conf reference (docs/agent-conf.md) as markdown, rendered from `AGENT_CONF_KEYS` so the
 * documentation cannot drift from what the agent accepts. The output is already in prettier's format
 * (padded columns), so formatting the docs does not change it.
 */
export function renderAgentConfReference(): string {
  const rows = AGENT_CONF_KEYS.map((key) =>
    [
      `\`${key.key}\``,
      key.type,
      key.required ? 'yes' : 'no',
      key.default === undefined ? '' : key.default === '' ? '(empty)' : `\`${key.default}\``,
      key.description,
    ].map(cell),
  );
  return [
    '# agent.conf reference',
    '',
    '<!-- Generated from libs/agent-conf/agent-conf.keys.ts by renderAgentConfReference(); do not edit. -->',
    '',
    "`conf/agent.conf` in the agent's home is a Java `.properties` file. The agent reads the keys below;",
    'other keys are kept as they are and ignored. Values are trimmed, and an empty value counts as absent',
    '(the default applies). Every invalid key is reported at once, naming the key.',
    '',
    ...alignedTable(['Key', 'Type', 'Required', 'Default', 'Description'], rows),
    '',
  ].join('\n');
}

/** A markdown table with padded columns, laid out exactly as prettier formats one. */
function alignedTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** A table cell: pipes would end the cell and line breaks the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
