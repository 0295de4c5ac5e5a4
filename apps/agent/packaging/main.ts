import { readFileSync, writeFileSync } from 'node:fs';
import { importPackageSigningPrivateKey } from '../../../libs/agent-package/index.js';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAgentPackage } from './package-agent.js';

// `npm run package:agent [-- --out DIR] [--version V] [--signing-key FILE]`: dist/apps/agent/packaging/main.js, four levels below the root.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

async function main(): Promise<number> {
  let out: string;
  let version: string | undefined;
  let keyFile: string | undefined;
  try {
    const { values } = parseArgs({
      options: { out: { type: 'string' }, version: { type: 'string' }, 'signing-key': { type: 'string' } },
      strict: true,
    });
    out = resolve(values.out ?? join(REPO_ROOT, 'dist', 'packages'));
    version = values.version;
    // The key may also come from the environment, so it never shows in a process list or shell history.
    keyFile = values['signing-key'] ?? (process.env.SWITCHYARD_PACKAGE_SIGNING_KEY || undefined);
  } catch (error) {
    console.error(
      `package:agent: ${(error as Error).message}\nUsage: npm run package:agent [-- --out DIR] [--version V] [--signing-key FILE]`,
    );
    return 2;
  }
  let signingKey;
  if (keyFile !== undefined) {
    try {
      signingKey = importPackageSigningPrivateKey(readFileSync(keyFile, 'utf8'));
    } catch (error) {
      console.error(`package:agent: ${keyFile}: ${(error as Error).message}`);
      return 2;
    }
  }
  const built = await buildAgentPackage(REPO_ROOT, out, process.env, { version, signingKey });
  const sums = [built.tarGz, built.zip].map((a) => `${a.sha256}  ${basename(a.path)}\n`).join('');
  writeFileSync(join(out, `${built.root}.sha256`), sums);
  console.log(`switchyard agent ${built.version} packaged (agent bundle ${kib(built.bundleBytes)}):`);
  for (const a of [built.tarGz, built.zip])
    console.log(`  ${a.path}  ${kib(a.bytes)}\n  SHA-256 ${a.sha256}`);
  if (built.signed) console.log(`  signed: ${built.signed.manifestPath} + .sig`);
  else console.log('  not signed (give --signing-key FILE to upload it to central for upgrades)');
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
