import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAgentPackage } from './package-agent.js';

// `npm run package:agent [-- --out DIR]`: dist/apps/agent/packaging/main.js, four levels below the root.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

async function main(): Promise<number> {
  let out: string;
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
    out = resolve(values.out ?? join(REPO_ROOT, 'dist', 'packages'));
  } catch (error) {
    console.error(`package:agent: ${(error as Error).message}\nUsage: npm run package:agent [-- --out DIR]`);
    return 2;
  }
  const built = await buildAgentPackage(REPO_ROOT, out);
  const sums = [built.tarGz, built.zip].map((a) => `${a.sha256}  ${basename(a.path)}\n`).join('');
  writeFileSync(join(out, `${built.root}.sha256`), sums);
  console.log(`switchyard agent ${built.version} packaged (agent bundle ${kib(built.bundleBytes)}):`);
  for (const a of [built.tarGz, built.zip])
    console.log(`  ${a.path}  ${kib(a.bytes)}\n  SHA-256 ${a.sha256}`);
  return 0;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`package:agent: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    process.exit(1);
  },
);
