import { alignedTable, tableCell } from '../../../../libs/markdown/aligned-table.js';
import { ENVIRONMENT_DOCS } from './environment.docs.js';
import { ENVIRONMENT_GROUPS } from './environment.js';

/** Marks the README's generated configuration reference. */
export const REFERENCE_START =
  '<!-- configuration:start — generated from apps/central/src/config/environment.ts -->';
export const REFERENCE_END = '<!-- configuration:end -->';

/**
 * The README's configuration reference, one table per concern, rendered from the schema's groups and
 * ENVIRONMENT_DOCS, so the README cannot list a variable central does not read or miss one it does.
 */
export function renderEnvironmentReference(): string {
  const lines = [REFERENCE_START, ''];
  for (const [concern, variables] of Object.entries(ENVIRONMENT_GROUPS)) {
    const rows = Object.keys(variables).map((name) => {
      const doc = ENVIRONMENT_DOCS[name as keyof typeof ENVIRONMENT_DOCS];
      return [`\`${name}\``, doc.default, doc.meaning].map(tableCell);
    });
    lines.push(`**${concern}**`, '', ...alignedTable(['variable', 'default', 'meaning'], rows), '');
  }
  lines.push(REFERENCE_END);
  return lines.join('\n');
}
