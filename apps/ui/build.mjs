// Builds the admin UI into dist/ui: one content-hashed JS and CSS bundle and an index.html naming them.
// esbuild alone (no dev server, no plugins): a production build takes well under a second.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'ui');

rmSync(out, { recursive: true, force: true }); // no stale hashed assets from earlier builds
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
const tags = [
  css && `<link rel="stylesheet" href="/assets/${css}" />`,
  `<script type="module" src="/assets/${js}"></script>`,
]
  .filter(Boolean)
  .join('\n    ');
const html = readFileSync(join(here, 'index.html'), 'utf8').replace('</head>', `  ${tags}\n  </head>`);
writeFileSync(join(out, 'index.html'), html);
console.log(`admin UI built into dist/ui (${js}${css ? `, ${css}` : ''})`);
