// The local API's HTTPS levels with the certificate a real central issues: an agent that has none waits,
// and once central asks for client certificates (clientAuth optional) and issues one over the session,
// the API starts by itself, serving it and accepting client certificates from central's local CA.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAgentConfText } from '../../apps/agent/src/agent-conf-file.js';
import { AgentHome } from '../../apps/agent/src/agent-home.js';
import { AgentRunner } from '../../apps/agent/src/agent-runner.js';
import type { LocalApiState } from '../../apps/agent/src/local-api/local-api-supervisor.js';
import { localApiStateFile, startLocalApi } from '../../apps/agent/src/local-api/start-local-api.js';
import { Logger } from '../../apps/agent/src/logger.js';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { createClientCsr, generateLocalCa, signClientCertificate } from '../../libs/pki/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { freePort, waitFor } from '../support/ports.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);

async function curl(...args: string[]): Promise<string> {
  try {
    return (await run('curl', ['-sS', '--max-time', '15', '-w', ' %{http_code}', ...args])).stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

describe('agent local API with the certificate central issues in session (real central, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let runner: AgentRunner | undefined;
  let stopApi: (() => Promise<void>) | undefined;
  let home: AgentHome;
  let port: number;
  const lines: string[] = [];
  const state = () => JSON.parse(readFileSync(localApiStateFile(home), 'utf8')) as LocalApiState;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    await c.api.ok('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    const serverChain = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    const token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;

    home = new AgentHome(makeTempDir('sy-local-api-central-'));
    port = await freePort();
    mkdirSync(join(home.confDir, 'security'), { recursive: true });
    writeFileSync(
      join(home.confDir, 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central', der: new X509Certificate(serverChain).raw }], 'changeit'),
    );
    const text = [
      'central.host=127.0.0.1',
      `central.websocket.port=${c.ports.plain}`,
      'central.websocket.secure=true',
      `central.websocket.secure.port=${c.ports.secure}`,
      'agent.id=branch-31',
      'jetty.jvm.args=-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit',
      'agent.local.api.enabled=true',
      'agent.local.api.security=https-client-certificate',
      `agent.local.api.port=${port}`,
      '',
    ].join('\n');
    writeFileSync(home.confFile, text);
    const loaded = parseAgentConfText(text);
    if (!loaded.ok) throw new Error(loaded.issues.join('; '));
    const logger = new Logger('debug', (line) => lines.push(line));
    runner = new AgentRunner({
      home,
      conf: loaded.conf,
      confText: text,
      credential: undefined,
      enrollmentToken: token,
      logger,
      backoff: { baseMs: 50, maxMs: 200 },
      random: () => 0.5,
      confPollMs: 200,
    });
    // As agent-command starts them: the runner, then the local API beside it.
    void runner.run();
    const api = await startLocalApi(home, loaded.conf, logger, { pollMs: 100 });
    stopApi = () => api!.stop();
  });
  afterAll(async () => {
    await stopApi?.();
    await runner?.stop();
    await c?.stop();
    await db?.drop();
  });

  it('waits while central issues no client certificates, and the agent stays connected', async () => {
    await waitFor(
      'online',
      async () => (await c.api.ok<{ status: string }>('GET', '/api/agents/branch-31')).status === 'online',
    );
    expect(state()).toMatchObject({ security: 'https-client-certificate', state: 'waiting', url: null });
    expect(state().reason).toContain("waiting for the agent's client certificate");
    expect(await curl('-k', `https://127.0.0.1:${port}/status`)).toMatch(
      /Failed to connect|Couldn't connect/,
    );
  });

  it("starts with central's certificate once issued, and accepts only clients of central's local CA", async () => {
    expect(
      (await c.api.call('PUT', '/api/settings/websocket', { secure: { clientAuth: 'optional' } })).status,
    ).toBe(200);
    await waitFor('the local API listening', async () => state().state === 'listening', 20_000);
    const caPem = await c.api.ok<string>('GET', '/api/certificates/ca');
    const served = new X509Certificate(readFileSync(home.clientCertificateFile, 'utf8'));
    expect(served.checkIssued(new X509Certificate(caPem))).toBe(true);
    expect(state().certificate).toMatchObject({
      origin: 'agent',
      sha256: served.fingerprint256.replace(/:/g, '').toLowerCase(),
    });

    // A local tool holding a certificate of central's local CA (here the agent's own) is answered.
    const url = `https://127.0.0.1:${port}/status`;
    const ok = await curl('-k', '--cert', home.clientCertificateFile, '--key', home.clientKeyFile, url);
    expect(ok).toMatch(/ 200$/);
    expect(JSON.parse(ok.replace(/ 200$/, ''))).toMatchObject({
      agentId: 'branch-31',
      state: 'connected',
      transport: 'secure',
      localApi: { security: 'https-client-certificate' },
    });
    // One from another CA is refused, saying so.
    const dir = makeTempDir('sy-local-api-foreign-');
    const foreignCa = await generateLocalCa({ commonName: 'Foreign CA', validityDays: 5 });
    const csr = await createClientCsr('intruder');
    const issued = await signClientCertificate({
      ca: foreignCa,
      csrPem: csr.csrPem,
      agentId: 'intruder',
      validityDays: 5,
    });
    writeFileSync(join(dir, 'intruder.crt'), issued.certificatePem + foreignCa.certificatePem);
    writeFileSync(join(dir, 'intruder.key'), csr.keyPem, { mode: 0o600 });
    expect(
      await curl('-k', '--cert', join(dir, 'intruder.crt'), '--key', join(dir, 'intruder.key'), url),
    ).toMatch(/was not issued by central's local CA .* 403$/s);
    expect(await curl('-k', url)).toMatch(/a client certificate is required.* 401$/s);
  });
});
