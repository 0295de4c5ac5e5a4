// A Java 17 WebSocket client (java.net.http, trust only through -Djavax.net.ssl.trustStore*) connects
// to central's secure listener with the truststores we write, and is refused without them.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { writeJksTruststore, writePkcs12Truststore } from '../../libs/keystore/index.js';
import { PROTOCOL_VERSION } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { REPO_ROOT } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const CLIENT = join(REPO_ROOT, 'test', 'java', 'SwitchyardWsClient.java');

describe('a Java 17 WebSocket client trusts central through our truststores (real JVM, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let temp: string;
  let jks: string;
  let p12: string;
  let n = 0;

  /** Runs the Java client; resolves with its exit code and output whatever happens. */
  const javaClient = async (properties: Record<string, string>) => {
    const args = [
      ...Object.entries(properties).map(([k, v]) => `-D${k}=${v}`),
      CLIENT,
      `wss://localhost:${c.ports.secure}/agent`,
      `java-agent-${++n}`,
      token,
      String(PROTOCOL_VERSION),
    ];
    return run('java', args, { timeout: 60_000 }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        output: e.stdout + e.stderr,
      }),
    );
  };

  beforeAll(async () => {
    temp = makeTempDir('sy-java-');
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    await c.api.ok('PUT', '/api/settings/websocket', {
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: c.ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
    const chain = await c.api.ok<string>('GET', '/api/certificates/server/chain');
    const anchor = new X509Certificate(
      chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.at(-1)!,
    );
    const certs = [{ alias: 'switchyard-central', der: anchor.raw }];
    jks = join(temp, 'truststore.jks');
    p12 = join(temp, 'truststore.p12');
    writeFileSync(jks, writeJksTruststore(certs, 'changeit'));
    writeFileSync(p12, writePkcs12Truststore(certs, 'changeit'));
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('connects and is welcomed with our JKS truststore', async () => {
    const r = await javaClient({
      'javax.net.ssl.trustStore': jks,
      'javax.net.ssl.trustStorePassword': 'changeit',
      'javax.net.ssl.trustStoreType': 'JKS',
    });
    expect(r.output).toContain('WELCOME');
    expect(r.code).toBe(0);
  });

  it('connects and is welcomed with our PKCS#12 truststore', async () => {
    const r = await javaClient({
      'javax.net.ssl.trustStore': p12,
      'javax.net.ssl.trustStorePassword': 'changeit',
      'javax.net.ssl.trustStoreType': 'PKCS12',
    });
    expect(r.output).toContain('WELCOME');
    expect(r.code).toBe(0);
  });

  it('is refused at the handshake with only the JVM default trust', async () => {
    const r = await javaClient({});
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /SSLHandshakeException|PKIX path building failed|unable to find valid certification path/,
    );
  });

  it('cannot open our truststore with a wrong password', async () => {
    const r = await javaClient({
      'javax.net.ssl.trustStore': jks,
      'javax.net.ssl.trustStorePassword': 'wrong-password',
      'javax.net.ssl.trustStoreType': 'JKS',
    });
    expect(r.code).toBe(1);
    expect(r.output).not.toContain('WELCOME');
  });
});
