// Central's folders depend on each other one way (docs/architecture.md): this flags an import from a folder
// that depends on the importing one. The pairs live in folder-direction.json, which
// apps/central/src/folder-direction.spec.ts reads too; madge (`npm run circular`) finds cycles of files.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CENTRAL_SRC = resolve(here, '..', 'apps', 'central', 'src');
const { forbidden } = JSON.parse(readFileSync(join(here, 'folder-direction.json'), 'utf8'));

/** The folder of central a path lies in (its first segment under apps/central/src), or undefined. */
function folderOf(path) {
  const rel = relative(CENTRAL_SRC, path);
  if (rel.startsWith('..') || !rel.includes(sep)) return undefined;
  return rel.split(sep)[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const folderDirection = {
  meta: {
    type: 'problem',
    docs: { description: "central's folders import each other one way (docs/architecture.md)" },
    messages: {
      backwards:
        '{{from}}/ must not import from {{to}}/: {{why}} (docs/architecture.md, eslint/folder-direction.json)',
    },
    schema: [],
  },
  create(context) {
    const from = folderOf(context.filename);
    if (!from) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = folderOf(resolve(dirname(context.filename), source));
      const edge = to && forbidden.find(([f, t]) => f === from && t === to);
      if (edge) context.report({ node, messageId: 'backwards', data: { from, to, why: edge[2] } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
