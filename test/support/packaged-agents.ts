// Test helper for the e2e specs that run real agent packages (ADR 45): build and sign them with the
// packager in dist/ (`npm run build` first), upload their files, point an unpacked agent.conf at the
// test central, and start the launcher by hand on the target Node.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PackageKey } from './agent-packages.js';
import { freePort } from './ports.js';
import { REPO_ROOT, type RunningProcess } from './processes.js';

export const PACKAGER = join(REPO_ROOT, 'dist', 'apps', 'agent', 'packaging', 'main.js');

/** Builds one signed package per version into `out`, as `npm run package:agent -- --signing-key` does. */
export function buildAgentPackages(out: string, key: PackageKey, versions: readonly string[]): void {
  const keyFile = join(out, 'publisher.key');
  writeFileSync(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  for (const v of versions)
    execFileSync(process.execPath, [PACKAGER, '--out', out, '--version', v, '--signing-key', keyFile], {
      stdio: 'pipe',
    });
}

/** A built package's three files (archive, manifest, signature) as ApiClient.upload sends them. */
export function builtPackageFiles(out: string, version: string): Array<{ name: string; bytes: Buffer }> {
  return ['tar.gz', 'manifest.json', 'manifest.sig'].map((ext) => ({
    name: `switchyard-agent-${version}.${ext}`,
    bytes: readFileSync(join(out, `switchyard-agent-${version}.${ext}`)),
  }));
}

/**
 * Points an unpacked package's agent.conf at central's plain listener on 127.0.0.1 as `agentId`, with a
 * free local API port and `upgradeTimeoutSeconds` to come back on an upgrade.
 */
export async function pointAgentConf(
  conf: string,
  o: { plainPort: number; agentId: string; upgradeTimeoutSeconds: number },
): Promise<void> {
  writeFileSync(
    conf,
    readFileSync(conf, 'utf8')
      .replace(/^central\.host=.*$/m, 'central.host=127.0.0.1')
      .replace(/^central\.websocket\.port=.*$/m, `central.websocket.port=${o.plainPort}`)
      .replace(/^agent\.id=.*$/m, `agent.id=${o.agentId}`)
      .replace(/^agent\.local\.api\.port=.*$/m, `agent.local.api.port=${await freePort()}`) +
      `\nagent.upgrade.timeout=${o.upgradeTimeoutSeconds}\n`,
  );
}

/** The Node a package runs on: the system's when it is 20 or newer (as on a till), else this one (`spec` says so). */
export function targetNode(spec: string): string {
  try {
    const version = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim();
    if (Number(/^v(\d+)\./.exec(version)?.[1]) >= 20) return '/usr/bin/node';
  } catch {
    // no system node
  }
  process.stderr.write(`${spec}: no /usr/bin/node >= 20: using ${process.execPath}\n`);
  return process.execPath;
}

/** Starts an unpacked package's launcher by hand, enrolling with `token`; `dir` is its cwd, HOME and TMPDIR. */
export function spawnPackagedAgent(home: string, token: string, dir: string, node: string): ChildProcess {
  return spawn(
    join(home, 'bin', 'switchyard-agent'),
    ['--token', token, '--backoff-base-ms', '200', '--backoff-max-ms', '1000'],
    {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', HOME: dir, SWITCHYARD_NODE: node, TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * Stops an agent started by hand: the first process, then the one its launcher started again after an
 * upgrade (detached, so only its home's state/agent.pid names it).
 */
export async function stopPackagedAgent(
  first: RunningProcess | undefined,
  home: string | undefined,
): Promise<void> {
  await first?.stop('SIGTERM', 3000);
  const pidFile = home ? join(home, 'state', 'agent.pid') : '';
  if (pidFile && existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
