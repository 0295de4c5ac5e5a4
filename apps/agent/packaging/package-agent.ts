import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleAgent } from './agent-bundle.js';
import { type ArchiveEntry, archiveTime } from './archive-entry.js';
import { tarGz } from './tar-gz.js';
import { thirdPartyLicenses } from './third-party-licenses.js';
import { zipArchive } from './zip.js';

export interface BuiltArchive {
  path: string;
  bytes: number;
  sha256: string;
}

export interface AgentPackage {
  version: string;
  /** The folder name inside both archives: switchyard-agent-<version>. */
  root: string;
  tarGz: BuiltArchive;
  zip: BuiltArchive;
  bundleBytes: number;
}

/**
 * Builds `switchyard-agent-<version>.tar.gz` and `.zip` into `outDir` (ADR 38): the bundled agent, its
 * launchers, a default agent.conf (profiles/default, the template central's profiles start from), the
 * service recipes and a README. Same sources ⇒ same bytes.
 */
export async function buildAgentPackage(
  repoRoot: string,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentPackage> {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const root = `switchyard-agent-${version}`;
  const files = join(repoRoot, 'apps', 'agent', 'packaging', 'files');
  const bundle = await bundleAgent(repoRoot, version);
  const text = (name: string) => readFileSync(join(files, name), 'utf8').replaceAll('{{VERSION}}', version);
  const entries: ArchiveEntry[] = [
    { path: 'README.md', data: Buffer.from(text('README.md')), mode: 0o644 },
    { path: 'bin/switchyard-agent', data: Buffer.from(text('switchyard-agent.sh')), mode: 0o755 },
    // cmd.exe wants CRLF: a label or a parenthesised block can misparse with bare LF.
    { path: 'bin/switchyard-agent.cmd', data: crlf(text('switchyard-agent.cmd')), mode: 0o755 },
    { path: 'lib/switchyard-agent.mjs', data: bundle.code, mode: 0o644 },
    {
      path: 'conf/agent.conf',
      data: readFileSync(join(repoRoot, 'profiles', 'default', 'conf', 'agent.conf')),
      mode: 0o644,
    },
    {
      path: 'service/switchyard-agent.service',
      data: Buffer.from(text('switchyard-agent.service')),
      mode: 0o644,
    },
    { path: 'service/windows/switchyard-agent.xml', data: crlf(text('switchyard-agent.xml')), mode: 0o644 },
    {
      path: 'THIRD-PARTY-LICENSES.txt',
      data: Buffer.from(thirdPartyLicenses(repoRoot, bundle.packageDirs)),
      mode: 0o644,
    },
  ].map((entry) => ({ ...entry, path: `${root}/${entry.path}` }));

  const mtime = archiveTime(env);
  mkdirSync(outDir, { recursive: true });
  const write = (name: string, data: Buffer): BuiltArchive => {
    const path = join(outDir, name);
    writeFileSync(path, data);
    return { path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  };
  const tar = write(`${root}.tar.gz`, tarGz(entries, mtime));
  const zip = write(`${root}.zip`, await zipArchive(entries, mtime));
  return { version, root, tarGz: tar, zip, bundleBytes: bundle.code.length };
}

function crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'));
}
