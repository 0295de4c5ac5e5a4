import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { generateSelfSignedServerCertificate } from '../../libs/pki/index.js';
import { freePorts } from './ports.js';
import { RunningProcess } from './processes.js';
import { makeTempDir } from './test-database.js';

/** Debian's `pebble` package puts the binary here; PEBBLE_BIN overrides it. */
export function findPebble(): string | undefined {
  const candidates = [process.env.PEBBLE_BIN, '/usr/bin/pebble', '/usr/local/bin/pebble'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export interface RunningPebble {
  /** HTTPS URL of the ACME directory. */
  directoryUrl: string;
  /** The CA of pebble's own HTTPS listener (generated per run): pass it as directoryCaPem. */
  listenerCaPem: string;
  /** Pebble's issuing intermediate and root, which it regenerates at every start. */
  intermediatePem(): Promise<string>;
  rootPem(): Promise<string>;
  process: RunningProcess;
  /**
   * Stops pebble and starts it again on the same ports with the same HTTPS listener: the same
   * directory URL, and (as at every start) a new root and intermediate — a CA that moved to a new anchor.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's pebble on free loopback ports. `httpPort` is where its validation authority sends
 * http-01 requests (central's admin HTTP port in tests); names resolve through the system resolver,
 * so `localhost` reaches 127.0.0.1. Validation is real: PEBBLE_VA_ALWAYS_VALID is never set.
 */
export async function startPebble(opts: {
  binary: string;
  httpPort: number;
  validitySeconds?: number;
}): Promise<RunningPebble> {
  const dir = makeTempDir('sy-pebble-');
  const [acmePort, managementPort, tlsPort] = await freePorts(3);
  const tls = await generateSelfSignedServerCertificate({
    hosts: ['127.0.0.1', 'localhost'],
    validityDays: 2,
  });
  writeFileSync(join(dir, 'cert.pem'), tls.certificatePem);
  writeFileSync(join(dir, 'key.pem'), tls.privateKeyPem, { mode: 0o600 });
  writeFileSync(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, 'cert.pem'),
        privateKey: join(dir, 'key.pem'),
        httpPort: opts.httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        certificateValidityPeriod: opts.validitySeconds ?? 90 * 86_400,
      },
    }),
  );
  let running: RunningProcess;
  try {
    running = await launch(opts.binary, dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const management = (path: string) =>
    fetchText(`https://127.0.0.1:${managementPort}${path}`, tls.certificatePem);
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    listenerCaPem: tls.certificatePem,
    intermediatePem: () => management('/intermediates/0'),
    rootPem: () => management('/roots/0'),
    get process() {
      return running;
    },
    restart: async () => {
      await running.stop('SIGTERM', 5000);
      running = await launch(opts.binary, dir);
    },
    stop: async () => {
      await running.stop('SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs pebble with the configuration in `dir`; resolves once it listens. */
async function launch(binary: string, dir: string): Promise<RunningProcess> {
  const child = spawn(binary, ['-config', join(dir, 'pebble.json'), '-strict'], {
    env: {
      PATH: process.env.PATH ?? '',
      PEBBLE_VA_NOSLEEP: '1',
      // Every order is validated for real (no reuse of an earlier valid authorization), and no nonce is
      // rejected at random, so the outcome of a test never depends on chance.
      PEBBLE_AUTHZREUSE: '0',
      PEBBLE_WFE_NONCEREJECT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = new RunningProcess('pebble', child);
  try {
    // Generous: pebble makes its root and intermediate keys at start, slow on a busy machine.
    await running.waitForOutput(/Listening on: /, 60_000);
  } catch (error) {
    await running.stop('SIGKILL');
    throw error;
  }
  return running;
}

function fetchText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
      );
    }).once('error', reject);
  });
}
