// The agent's local API at security levels 2 and 3 (ADR 43), driven like operators and local software
// would: curl, openssl s_client and a Java client with keytool keystores, against real TLS. The
// certificates come from the same local-CA code central uses (libs/pki), made in the test run.
import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAgentConfText } from '../../apps/agent/src/agent-conf-file.js';
import { AgentHome } from '../../apps/agent/src/agent-home.js';
import { ClientCertificateStore } from '../../apps/agent/src/client-certificate-store.js';
import { hashPassword } from '../../apps/agent/src/local-api/hash-password-command.js';
import type { LocalApiState } from '../../apps/agent/src/local-api/local-api-supervisor.js';
import { localApiStateFile, startLocalApi } from '../../apps/agent/src/local-api/start-local-api.js';
import { Logger } from '../../apps/agent/src/logger.js';
import {
  createClientCsr,
  generateLocalCa,
  signClientCertificate,
  signServerCertificate,
  type LocalCaIdentity,
} from '../../libs/pki/index.js';
import { freePort, waitFor } from '../support/ports.js';
import { REPO_ROOT } from '../support/processes.js';
import { makeTempDir } from '../support/test-database.js';

const run = promisify(execFile);

const hasJdk = (() => {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasJdk)
  console.log('agent-local-api-tls.spec: javac/keytool not found (install openjdk); Java client skipped');
const describeWithJdk = hasJdk ? describe : describe.skip;
const AGENT_ID = 'branch-12.till-3';
const POLL_MS = 100;

/** curl's answer: body then ` <status>` (-w), or its error text; never rejects. */
async function curl(...args: string[]): Promise<string> {
  try {
    const r = await run('curl', ['-sS', '--max-time', '15', '-w', ' %{http_code}', ...args]);
    return r.stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

/** What `openssl s_client` prints when it sends one request (TLS alerts, the certificate, the answer). */
function sClient(port: number, extra: string[], request: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...extra],
      { timeout: 15_000 },
      (_error, stdout, stderr) => resolve(stdout + stderr),
    );
    child.stdin?.end(request);
  });
}

const get = (port: number, path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;

/** A client certificate (with its key) issued by `ca`, as files. */
async function clientCertificate(
  dir: string,
  name: string,
  ca: LocalCaIdentity,
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<{ cert: string; key: string; chainPem: string; keyPem: string }> {
  const csr = await createClientCsr(name);
  const issued = await signClientCertificate({
    ca,
    csrPem: csr.csrPem,
    agentId: name,
    validityDays: 30,
    ...validity,
  });
  const chainPem = issued.certificatePem + ca.certificatePem;
  writeFileSync(join(dir, `${name}.crt`), chainPem);
  writeFileSync(join(dir, `${name}.key`), csr.keyPem, { mode: 0o600 });
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`), chainPem, keyPem: csr.keyPem };
}

interface Running {
  port: number;
  home: AgentHome;
  lines: string[];
  stop: () => Promise<void>;
  state: () => LocalApiState;
}

/** The local API as the agent starts it, from an agent.conf with these extra lines. */
async function startApi(conf: string[], prepare: (home: AgentHome) => void = () => {}): Promise<Running> {
  const home = new AgentHome(makeTempDir('sy-local-api-tls-'));
  const port = await freePort();
  mkdirSync(home.confDir, { recursive: true });
  prepare(home);
  const loaded = parseAgentConfText(
    [
      'central.host=127.0.0.1',
      `agent.id=${AGENT_ID}`,
      'agent.local.api.enabled=true',
      `agent.local.api.port=${port}`,
      ...conf,
    ].join('\n'),
  );
  if (!loaded.ok) throw new Error(loaded.issues.join('; '));
  const lines: string[] = [];
  const api = await startLocalApi(home, loaded.conf, new Logger('debug', (l) => lines.push(l)), {
    pollMs: POLL_MS,
  });
  const state = () => JSON.parse(readFileSync(localApiStateFile(home), 'utf8')) as LocalApiState;
  return { port, home, lines, stop: () => api!.stop(), state };
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

describe('agent local API over HTTPS (levels 2 and 3): curl, openssl, Java', () => {
  let temp: string;
  let localCa: LocalCaIdentity;
  let foreignCa: LocalCaIdentity;
  let agentCert: Awaited<ReturnType<typeof clientCertificate>>;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    temp = makeTempDir('sy-local-api-tls-certs-');
    localCa = await generateLocalCa({ commonName: 'Switchyard local CA (test)', validityDays: 30 });
    foreignCa = await generateLocalCa({ commonName: 'Someone else CA', validityDays: 30 });
    agentCert = await clientCertificate(temp, AGENT_ID, localCa);
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  describe('level 2, https with the agent certificate', () => {
    let api: Running;
    beforeAll(async () => {
      api = await startApi(['agent.local.api.security=https']);
      stops.push(api.stop);
    });

    it('waits for the certificate and says why, without listening or failing', async () => {
      expect(api.state()).toMatchObject({ security: 'https', state: 'waiting', url: null });
      expect(api.state().reason).toContain("waiting for the agent's client certificate (state/client.crt)");
      expect(api.lines.join('\n')).toContain('local API not started: waiting for the agent');
      expect(await curl('-k', `https://127.0.0.1:${api.port}/status`)).toMatch(
        /Failed to connect|Couldn't connect/,
      );
    });

    it('starts once central has issued the certificate, serving it (openssl, pinned curl)', async () => {
      new ClientCertificateStore(api.home).write(agentCert.keyPem, agentCert.chainPem);
      await waitFor('the local API listening', async () => api.state().state === 'listening');
      const served = api.state().certificate!;
      expect(served).toMatchObject({ origin: 'agent', sha256: fingerprint(agentCert.chainPem) });
      const shown = await sClient(api.port, [], get(api.port, '/status'));
      expect(shown).toContain(`subject=CN = ${AGENT_ID}`);
      const body = await curl(
        '-k',
        '--pinnedpubkey',
        `sha256//${served.publicKeySha256}`,
        `https://127.0.0.1:${api.port}/status`,
      );
      expect(body).toMatch(/ 503$/); // no state/status.json in this home: the API answers, over TLS
      writeFileSync(api.home.statusFile, JSON.stringify({ state: 'connected', transport: 'secure' }));
      const status = await curl('-k', `https://127.0.0.1:${api.port}/status`);
      expect(status).toMatch(/ 200$/);
      expect(JSON.parse(status.replace(/ 200$/, ''))).toMatchObject({
        agentId: AGENT_ID,
        state: 'connected',
        localApi: { security: 'https', certificate: { sha256: served.sha256 } },
      });
    });

    it('moves files over HTTPS and keeps paths inside the area', async () => {
      const file = join(temp, 'upload.txt');
      writeFileSync(file, 'hello over tls');
      const url = `https://127.0.0.1:${api.port}/files`;
      expect(await curl('-k', '-T', file, `${url}/in/upload.txt`)).toBe(
        '{"path":"in/upload.txt","bytes":14}\n 201',
      );
      expect(await curl('-k', `${url}/in/upload.txt`)).toBe('hello over tls 200');
      writeFileSync(join(api.home.stateDir, 'credential'), 'secret');
      const escape = await curl('-k', '--path-as-is', '-T', file, `${url}/../state/credential`);
      expect(escape).toMatch(/is refused: paths stay inside the file area.* 400$/s);
      expect(readFileSync(join(api.home.stateDir, 'credential'), 'utf8')).toBe('secret');
    });

    it('serves a renewed certificate from the next handshake on, without a restart', async () => {
      const renewed = await clientCertificate(temp, `${AGENT_ID}-renewed`, localCa);
      // As central's renewal lands: the same two files, a new key and chain.
      new ClientCertificateStore(api.home).write(renewed.keyPem, renewed.chainPem);
      await waitFor(
        'the renewed certificate served',
        async () => api.state().certificate?.sha256 === fingerprint(renewed.chainPem),
      );
      const shown = await sClient(api.port, [], get(api.port, '/status'));
      expect(shown).toContain(`subject=CN = ${AGENT_ID}-renewed`);
      expect(api.lines.join('\n')).toContain(
        `serving the renewed certificate ${fingerprint(renewed.chainPem)}`,
      );
      // a broken replacement (key of another certificate) is refused, the renewed one stays
      const before = api.lines.length;
      writeFileSync(api.home.clientKeyFile, agentCert.keyPem, { mode: 0o600 });
      await waitFor('the bad key noticed', async () =>
        api.lines.slice(before).some((l) => l.includes('keeps serving the previous certificate')),
      );
      expect(await sClient(api.port, [], get(api.port, '/status'))).toContain(
        `subject=CN = ${AGENT_ID}-renewed`,
      );
    });

    it('stops when the certificate is set aside (revoked) and says so', async () => {
      new ClientCertificateStore(api.home).retire();
      await waitFor('the API stopped', async () => api.state().state === 'waiting');
      expect(await curl('-k', `https://127.0.0.1:${api.port}/status`)).toMatch(
        /Failed to connect|Couldn't connect/,
      );
    });
  });

  describe('level 3, https-client-certificate', () => {
    let api: Running;
    let foreign: Awaited<ReturnType<typeof clientCertificate>>;
    let expired: Awaited<ReturnType<typeof clientCertificate>>;
    beforeAll(async () => {
      foreign = await clientCertificate(temp, 'intruder', foreignCa);
      const now = Date.now();
      expired = await clientCertificate(temp, 'old-client', localCa, {
        notBefore: new Date(now - 10 * 86_400_000),
        notAfter: new Date(now - 86_400_000),
      });
      api = await startApi(['agent.local.api.security=https-client-certificate'], (home) =>
        new ClientCertificateStore(home).write(agentCert.keyPem, agentCert.chainPem),
      );
      stops.push(api.stop);
      await waitFor('listening', async () => api.state().state === 'listening');
      writeFileSync(api.home.statusFile, JSON.stringify({ state: 'connected' }));
    });

    it("accepts a certificate from central's local CA (curl)", async () => {
      const local = await clientCertificate(temp, 'local-tool', localCa);
      const out = await curl(
        '-k',
        '--cert',
        local.cert,
        '--key',
        local.key,
        `https://127.0.0.1:${api.port}/status`,
      );
      expect(out).toMatch(/"agentId":"branch-12.till-3".* 200$/s);
    });

    it('refuses no certificate, a foreign one and an expired one, saying why', async () => {
      const url = `https://127.0.0.1:${api.port}/status`;
      expect(await curl('-k', url)).toBe(
        `{"error":"a client certificate is required: this local API is at level https-client-certificate and accepts certificates issued by central's local CA"}\n 401`,
      );
      expect(await curl('-k', '--cert', foreign.cert, '--key', foreign.key, url)).toMatch(
        /client certificate \\"intruder\\" was not issued by central's local CA \((UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)"\}\n 403$/,
      );
      expect(await curl('-k', '--cert', expired.cert, '--key', expired.key, url)).toMatch(
        /client certificate \\"old-client\\" expired on \d{4}-.*\(CERT_HAS_EXPIRED\)"\}\n 403$/,
      );
      const upload = join(temp, 'x.txt');
      writeFileSync(upload, 'x');
      expect(
        await curl(
          '-k',
          '--cert',
          foreign.cert,
          '--key',
          foreign.key,
          '-T',
          upload,
          `https://127.0.0.1:${api.port}/files/x.txt`,
        ),
      ).toMatch(/ 403$/);
      expect(existsSync(join(api.home.filesDir, 'x.txt'))).toBe(false);
      expect(api.lines.join('\n')).toMatch(
        /local API: GET \/status from 127\.0\.0\.1 refused \(403\): client certificate "intruder"/,
      );
    });

    it('tells openssl s_client which CA it wants and why it refuses', async () => {
      const bare = await sClient(api.port, ['-tls1_2'], get(api.port, '/status'));
      expect(bare).toContain('Acceptable client certificate CA names');
      expect(bare).toContain('CN = Switchyard local CA (test)');
      expect(bare).toContain('HTTP/1.1 401 Unauthorized');
      const withForeign = await sClient(
        api.port,
        ['-cert', foreign.cert, '-key', foreign.key],
        get(api.port, '/status'),
      );
      expect(withForeign).toContain('HTTP/1.1 403 Forbidden');
      expect(withForeign).toContain("was not issued by central's local CA");
    });
  });

  describeWithJdk('level 3 with a Java client and keytool keystores', () => {
    const keytool = (...args: string[]) => execFileSync('keytool', args, { stdio: 'pipe' });
    let api: Running;
    let truststore: string;
    let keystore: string;
    let foreignKeystore: string;
    let classes: string;

    /** A JKS keystore holding `client`'s key and chain, made as an operator would: openssl pkcs12 then keytool. */
    const javaKeystore = (client: { cert: string; key: string }, name: string) => {
      const p12 = join(temp, `${name}.p12`);
      execFileSync('openssl', [
        'pkcs12',
        '-export',
        '-in',
        client.cert,
        '-inkey',
        client.key,
        '-name',
        name,
        '-out',
        p12,
        '-passout',
        'pass:changeit',
      ]);
      const jks = join(temp, `${name}.jks`);
      keytool(
        '-importkeystore',
        '-noprompt',
        '-srckeystore',
        p12,
        '-srcstoretype',
        'PKCS12',
        '-srcstorepass',
        'changeit',
        '-destkeystore',
        jks,
        '-deststoretype',
        'JKS',
        '-deststorepass',
        'changeit',
      );
      return jks;
    };

    beforeAll(async () => {
      // Java checks the server's name and purpose, so the API serves a server certificate the operator
      // had the local CA issue for 127.0.0.1 (agent.local.api.tls.cert/.key); the client CA stays
      // central's local CA from the agent's chain.
      const server = await signServerCertificate({
        ca: localCa,
        hosts: ['127.0.0.1', 'localhost'],
        validityDays: 30,
      });
      api = await startApi(
        [
          'agent.local.api.security=https-client-certificate',
          'agent.local.api.tls.cert=conf/local-api.crt',
          'agent.local.api.tls.key=conf/local-api.key',
        ],
        (home) => {
          new ClientCertificateStore(home).write(agentCert.keyPem, agentCert.chainPem);
          writeFileSync(join(home.confDir, 'local-api.crt'), server.chainPem);
          writeFileSync(join(home.confDir, 'local-api.key'), server.privateKeyPem, { mode: 0o600 });
        },
      );
      stops.push(api.stop);
      await waitFor('listening', async () => api.state().state === 'listening');
      expect(api.state().certificate?.origin).toBe('conf');
      writeFileSync(api.home.statusFile, JSON.stringify({ state: 'connected' }));
      writeFileSync(join(temp, 'local-ca.pem'), localCa.certificatePem);
      truststore = join(temp, 'local-ca-trust.jks');
      keytool(
        '-importcert',
        '-noprompt',
        '-alias',
        'switchyard-local-ca',
        '-file',
        join(temp, 'local-ca.pem'),
        '-keystore',
        truststore,
        '-storetype',
        'JKS',
        '-storepass',
        'changeit',
      );
      keystore = javaKeystore(await clientCertificate(temp, 'java-tool', localCa), 'java-tool');
      // Compiled once: the source launcher would compile it again for every run.
      classes = join(temp, 'classes');
      execFileSync('javac', ['-d', classes, join(REPO_ROOT, 'test', 'java', 'LocalApiHttpsClient.java')]);
      foreignKeystore = javaKeystore(
        await clientCertificate(temp, 'java-intruder', foreignCa),
        'java-intruder',
      );
    });

    const java = async (keyStore: string | undefined) => {
      const props = [
        `-Djavax.net.ssl.trustStore=${truststore}`,
        '-Djavax.net.ssl.trustStorePassword=changeit',
        ...(keyStore
          ? [
              `-Djavax.net.ssl.keyStore=${keyStore}`,
              '-Djavax.net.ssl.keyStorePassword=changeit',
              '-Djavax.net.ssl.keyStoreType=JKS',
            ]
          : []),
      ];
      return run(
        'java',
        [...props, '-cp', classes, 'LocalApiHttpsClient', `https://127.0.0.1:${api.port}/status`],
        {
          timeout: 60_000,
        },
      ).then(
        (r) => r.stdout + r.stderr,
        (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
      );
    };

    it('is answered with its keystore, and refused without it or with a foreign one', async () => {
      expect(await java(keystore)).toMatch(/^HTTP 200 .*"agentId":"branch-12.till-3"/m);
      expect(await java(undefined)).toMatch(/^HTTP 401 .*a client certificate is required/m);
      expect(await java(foreignKeystore)).toMatch(/^HTTP 40[13] /m);
    });
  });

  describe('level 3, https-password', () => {
    const password = 'correct horse battery';
    let api: Running;
    beforeAll(async () => {
      const hash = await hashPassword(password, { N: 2 ** 14, r: 8, p: 1 });
      api = await startApi(
        [
          'agent.local.api.security=https-password',
          'agent.local.api.user=till',
          `agent.local.api.password.hash=${hash}`,
        ],
        (home) => new ClientCertificateStore(home).write(agentCert.keyPem, agentCert.chainPem),
      );
      stops.push(api.stop);
      await waitFor('listening', async () => api.state().state === 'listening');
      writeFileSync(api.home.statusFile, JSON.stringify({ state: 'connected' }));
    });

    it('answers the right user and password', async () => {
      expect(await curl('-k', '-u', `till:${password}`, `https://127.0.0.1:${api.port}/status`)).toMatch(
        / 200$/,
      );
    });

    it('refuses a missing or wrong password with 401 and a reason, then rate-limits with 429', async () => {
      const url = `https://127.0.0.1:${api.port}/status`;
      const none = await curl('-k', '-D', '-', url);
      expect(none).toContain('WWW-Authenticate: Basic realm="switchyard agent local API"');
      expect(none).toMatch(/a user name and password are needed \(HTTP basic auth\).* 401$/s);
      for (let i = 1; i <= 5; i++) {
        expect(await curl('-k', '-u', 'till:guess-' + i, url)).toBe(
          `{"error":"wrong user name or password (${i} of 5 wrong attempts allowed per minute from 127.0.0.1)"}\n 401`,
        );
      }
      const limited = await curl('-k', '-D', '-', '-u', `till:${password}`, url);
      expect(limited).toMatch(/Retry-After: \d+/);
      expect(limited).toMatch(/too many wrong passwords from 127\.0\.0\.1 .*try again in \d+ s.* 429$/s);
      expect(api.state()).toMatchObject({
        wrongPasswords: 5,
        lastWrongPassword: { address: '127.0.0.1', user: 'till' },
      });
      const log = api.lines.join('\n');
      expect(log).toContain(
        'local API: wrong password for user "till" from 127.0.0.1 (5 within the last minute)',
      );
      expect(log).not.toContain('guess-');
      expect(log).not.toContain(password);
    });
  });
});
