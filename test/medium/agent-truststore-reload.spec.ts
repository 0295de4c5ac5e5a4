// The agent reads its truststore like Java and follows it on disk, against central's real TLS listener:
// `keytool -importcert` (JDK 9+, no -storetype) writes PKCS#12 into truststore.jks, which the agent reads
// with trustStoreType=JKS; a replacement that does not trust central fails the next connection, and
// putting the right one back reconnects the agent without a restart.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAgentConfText } from '../../apps/agent/src/agent-conf-file.js';
import { AgentHome } from '../../apps/agent/src/agent-home.js';
import { AgentRunner } from '../../apps/agent/src/agent-runner.js';
import { Logger } from '../../apps/agent/src/logger.js';
import type { AgentStatus } from '../../apps/agent/src/status-file.js';
import { AgentSessions } from '../../apps/central/src/agents/agent-sessions.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { detectTruststoreContent } from '../../libs/keystore/index.js';
import { CloseCode } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { makeServerChain } from '../support/openssl-fixtures.js';
import { waitFor } from '../support/ports.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const keytoolPath = (() => {
  try {
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    return 'keytool';
  } catch {
    return undefined;
  }
})();
if (!keytoolPath) console.log('agent-truststore-reload.spec: keytool not found (install openjdk); skipped');
const describeWithKeytool = keytoolPath ? describe : describe.skip;

/** keytool as an operator runs it on JDK 9+: no -storetype, so the store is PKCS#12 whatever its name. */
const importCert = (store: string, alias: string, pemFile: string) =>
  execFileSync(
    keytoolPath!,
    [
      '-importcert',
      '-noprompt',
      '-alias',
      alias,
      '-file',
      pemFile,
      '-keystore',
      store,
      '-storepass',
      'changeit',
    ],
    { stdio: 'pipe' },
  );

describeWithKeytool('agent truststore made by keytool, replaced on disk while the agent runs', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let temp: string;
  let runner: AgentRunner | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = makeTempDir('sy-truststore-reload-');
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    await c.api.ok('PUT', '/api/settings/websocket', {
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: c.ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
  });
  afterAll(async () => {
    await runner?.stop();
    await c?.stop();
    await db?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('connects over wss with keytool PKCS#12 in truststore.jks, fails with a foreign one, and reconnects when it is put back', async () => {
    // central's trust anchor, and another CA's, imported by the real keytool
    const chain = await c.api.ok<string>('GET', '/api/certificates/server/chain');
    const anchorPem = new X509Certificate(
      chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.at(-1)!,
    ).toString();
    writeFileSync(join(temp, 'central.pem'), anchorPem);
    const other = makeServerChain(temp, ['localhost'], 'other');
    importCert(join(temp, 'good.jks'), 'switchyard-central', join(temp, 'central.pem'));
    importCert(join(temp, 'foreign.jks'), 'other-ca', other.rootPath);
    const good = readFileSync(join(temp, 'good.jks'));
    expect(detectTruststoreContent(good)).toBe('pkcs12'); // what JDK 9+ keytool writes

    const home = new AgentHome(join(temp, 'agent'));
    mkdirSync(join(home.root, 'conf', 'security'), { recursive: true });
    const truststore = join(home.root, 'conf', 'security', 'truststore.jks');
    const put = (bytes: Buffer) => {
      writeFileSync(truststore + '.new', bytes);
      renameSync(truststore + '.new', truststore);
    };
    put(good);
    const confText = [
      'central.host=localhost',
      `central.websocket.port=${c.ports.plain}`,
      'central.websocket.secure=true',
      `central.websocket.secure.port=${c.ports.secure}`,
      'agent.id=keytool-agent',
      'jetty.jvm.args=-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
      '',
    ].join('\n');
    writeFileSync(home.confFile, confText);
    const loaded = parseAgentConfText(confText);
    if (!loaded.ok) throw new Error(loaded.issues.join('; '));
    let draws = 0;
    runner = new AgentRunner({
      home,
      conf: loaded.conf,
      confText,
      credential: undefined,
      enrollmentToken: token,
      logger: new Logger('debug', (line) => lines.push(line)),
      // the reconnect after central closes is immediate; any later delay is 15 s: only a wake-up is quick
      backoff: { baseMs: 30_000, maxMs: 30_000 },
      random: () => (draws++ === 0 ? 0 : 0.5),
      truststorePollMs: 200,
    });
    void runner.run();
    const status = (): Partial<AgentStatus> => {
      try {
        return JSON.parse(readFileSync(home.statusFile, 'utf8')) as AgentStatus;
      } catch {
        return {}; // not written yet, or being replaced
      }
    };
    const log = () => lines.join('\n');
    await waitFor('agent connected over wss', async () => status().state === 'connected', 15_000);
    expect(status()).toMatchObject({ transport: 'secure' });
    expect(log()).toMatch(/INFO {2}truststore .*truststore\.jks is PKCS12 although its declared type is JKS/);
    expect(log()).not.toMatch(/ERROR/);

    // a truststore that does not trust central: the session stays, the next connection fails
    put(readFileSync(join(temp, 'foreign.jks')));
    await new Promise((r) => setTimeout(r, 500));
    expect(status().state).toBe('connected');
    c.central.app.get(AgentSessions).session('keytool-agent')!.close(CloseCode.GOING_AWAY, 'test: reconnect');
    await waitFor('trust failure', async () => status().state === 'backoff', 10_000);
    expect(status().lastError).toMatch(/^certificate not trusted/);

    // the right truststore back: reconnected without a restart, long before the 15 s backoff
    const fixedAt = Date.now();
    put(good);
    await waitFor('agent reconnected', async () => status().state === 'connected', 8_000);
    expect(Date.now() - fixedAt).toBeLessThan(8_000);
    expect(log()).toMatch(/INFO {2}truststore .*truststore\.jks changed: reconnecting now/);
    const row = await c.api.ok<{ status: string; transport: string }>('GET', '/api/agents/keytool-agent');
    expect(row).toMatchObject({ status: 'online', transport: 'secure' });
  });
});
