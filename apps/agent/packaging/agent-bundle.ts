import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';

/** The oldest Node the package runs on (issue 17): the bundle's syntax target and its start-up check. */
export const MINIMUM_NODE_MAJOR = 20;

/**
 * Runs first in the bundle. The agent's dependencies (ws, node-forge, yauzl) are CommonJS and call
 * `require('crypto')` and friends; in an ESM bundle esbuild's `require` shim throws unless a real
 * `require` exists, so one is made from `import.meta.url`. Then the Node version, with a message that
 * says what to install rather than a syntax error from an older Node.
 */
const BANNER = `import { createRequire as __switchyardCreateRequire } from 'node:module';
const require = __switchyardCreateRequire(import.meta.url);
if (Number(process.versions.node.split('.')[0]) < ${MINIMUM_NODE_MAJOR}) {
  process.stderr.write('switchyard-agent: Node.js >= ${MINIMUM_NODE_MAJOR} is needed, this is ' + process.version + '\\n');
  process.exit(1);
}`;

export interface AgentBundle {
  code: Buffer;
  /** The node_modules folders of the packages bundled in, for their licences. */
  packageDirs: string[];
}

/** The agent (apps/agent/src/main.ts and everything it imports) as one ESM file for Node >= 20. */
export async function bundleAgent(repoRoot: string, version: string): Promise<AgentBundle> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, 'apps', 'agent', 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${MINIMUM_NODE_MAJOR}`,
    // Whitespace and syntax only: identifiers stay readable in the stack traces an operator sends.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none', // the licences go into THIRD-PARTY-LICENSES.txt
    banner: { js: BANNER },
    define: { SWITCHYARD_AGENT_PACKAGE_VERSION: JSON.stringify(version) },
    metafile: true,
    write: false,
    outfile: 'switchyard-agent.mjs',
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling the agent failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  return { code: Buffer.from(result.outputFiles[0].contents), packageDirs: packageDirs(result.metafile) };
}

/** `node_modules/@scope/name` or `node_modules/name` (the innermost one) of every bundled input. */
function packageDirs(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort();
}
