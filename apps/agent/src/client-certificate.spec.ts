import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJksTruststore } from '../../../libs/keystore/index.js';
import {
  createClientCsr,
  generateLocalCa,
  normalizeSerial,
  signClientCertificate,
  type LocalCaIdentity,
} from '../../../libs/pki/index.js';
import { CSR_HEADER, CloseCode, decodeCsrHeader } from '../../../libs/protocol/index.js';
import { AgentHome } from './agent-home.js';
import type { AgentRunner } from './agent-runner.js';
import { ClientCertificateStore } from './client-certificate-store.js';
import { FakeCentral, type FakeSession } from './testing/fake-central.js';
import { CREDENTIAL, until } from './testing/profile-fixtures.js';
import { createTestCa, issueServerCertificate } from './testing/test-certificates.js';
import { testRunner } from './testing/test-runner.js';

describe('the agent and its client certificate (mutual TLS), against a real TLS server', () => {
  let dir: string;
  let home: AgentHome;
  let localCa: LocalCaIdentity;
  let central: FakeCentral;
  let runner: AgentRunner;
  const lines: string[] = [];
  /** Set by a test: the fake central answers an upgrade presenting a certificate with 403 "revoked". */
  let refuseCertificates = false;

  beforeAll(async () => {
    localCa = await generateLocalCa({ commonName: 'Switchyard local CA agent-test', validityDays: 30 });
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-mtls-'));
    home = new AgentHome(dir);
    mkdirSync(join(dir, 'conf', 'security'), { recursive: true });
    const serverCa = await createTestCa('Central CA');
    writeFileSync(
      join(dir, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central-ca', der: serverCa.der }], 'changeit'),
    );
    lines.length = 0;
    central = await FakeCentral.start({
      tls: { ...(await issueServerCertificate(serverCa, ['localhost'])), requestCert: true },
      onSession: (session) => void answer(session).catch(() => undefined),
      refuse: (_headers, peer) =>
        refuseCertificates && peer
          ? { status: 403, body: JSON.stringify({ error: 'client certificate revoked' }) }
          : undefined,
    });
    refuseCertificates = false;
  });
  afterEach(async () => {
    await runner?.stop();
    await central.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Like central: signs the CSR of the upgrade and returns the chain in welcome. */
  async function answer(session: FakeSession): Promise<void> {
    await session.frame('hello');
    const header = session.headers[CSR_HEADER];
    if (typeof header !== 'string') return session.welcome();
    const issued = await signClientCertificate({
      ca: localCa,
      csrPem: decodeCsrHeader(header)!,
      agentId: 'branch-7',
      validityDays: 60, // beyond the 30-day renewal window
    });
    session.welcome({ certificateChainPem: issued.certificatePem + localCa.certificatePem });
  }

  const conf = (securePort: number) =>
    [
      'central.host=localhost',
      'central.websocket.port=1',
      'central.websocket.secure=true',
      `central.websocket.secure.port=${securePort}`,
      'agent.id=branch-7',
      'jetty.jvm.args=-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
      '',
    ].join('\n');

  const start = () => {
    runner = testRunner(home, conf(central.port), lines);
    void runner.run();
  };

  it('sends a CSR, stores key (0600) and certificate, presents them on the next wss connection, and sets them aside when revoked', async () => {
    start();
    const first = await central.session(0);
    expect(first.peerCertificate).toBeUndefined(); // nothing to present yet
    expect(typeof first.headers[CSR_HEADER]).toBe('string');
    await until('certificate stored', () => existsSync(home.clientCertificateFile));
    expect(statSync(home.clientKeyFile).mode & 0o777).toBe(0o600);
    const stored = new X509Certificate(readFileSync(home.clientCertificateFile, 'utf8'));
    expect(stored.subject).toBe('CN=branch-7');
    // the key in state/ is the agent's own, and it never went to central
    expect(readFileSync(home.clientKeyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(JSON.stringify(first.headers)).not.toContain('PRIVATE KEY');
    expect(lines.join('\n')).toContain('client certificate stored in state/client.crt');

    first.socket.close(CloseCode.GOING_AWAY, 'central restarting');
    const second = await central.session(1);
    expect(second.peerCertificate?.subject).toBe('CN=branch-7');
    expect(normalizeSerial(second.peerCertificate!.serialNumber)).toBe(normalizeSerial(stored.serialNumber));
    expect(second.headers[CSR_HEADER]).toBeUndefined(); // valid for 60 days: no renewal yet
    expect(second.headers.authorization).toBe(`Bearer ${CREDENTIAL}`); // the credential still applies

    await second.frame('hello');
    second.socket.close(CloseCode.CERTIFICATE_REVOKED, 'client certificate revoked');
    const third = await central.session(2);
    expect(third.peerCertificate).toBeUndefined();
    expect(typeof third.headers[CSR_HEADER]).toBe('string');
    expect(existsSync(home.clientCertificateFile + '.revoked')).toBe(true);
    expect(lines.join('\n')).toContain("central revoked this agent's client certificate; it is set aside");
  });

  it('sets aside a certificate central answers "403 client certificate revoked" at the upgrade, and reconnects without it', async () => {
    start();
    const first = await central.session(0);
    await until('certificate stored', () => existsSync(home.clientCertificateFile));
    // Revoked while the agent was away: the next upgrade presenting it is refused with the reason.
    refuseCertificates = true;
    first.socket.close(CloseCode.GOING_AWAY, 'central restarting');
    const second = await central.session(1);
    expect(second.peerCertificate).toBeUndefined(); // set aside: not presented again
    expect(second.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
    expect(existsSync(home.clientCertificateFile + '.revoked')).toBe(true);
    const log = lines.join('\n');
    expect(log).toContain('central refused the connection (HTTP 403 Refused): client certificate revoked');
    expect(log).toContain(
      "central refused this agent's client certificate as revoked (HTTP 403); it is set aside, reconnecting without it",
    );
    expect(central.upgrades).toHaveLength(3); // accepted, refused (with the certificate), accepted
  });

  it('does not present a certificate issued for another agent id (agent.id changed)', async () => {
    const csr = await createClientCsr('someone-else');
    const issued = await signClientCertificate({
      ca: localCa,
      csrPem: csr.csrPem,
      agentId: 'someone-else',
      validityDays: 1,
    });
    new ClientCertificateStore(home).write(csr.keyPem, issued.certificatePem + localCa.certificatePem);
    start();
    const first = await central.session(0);
    expect(first.peerCertificate).toBeUndefined();
    expect(typeof first.headers[CSR_HEADER]).toBe('string');
    expect(lines.join('\n')).toContain('the client certificate in state/ is for someone-else, not branch-7');
  });

  it('refuses to store a certificate that does not carry its own key', async () => {
    const mine = await createClientCsr('branch-7');
    const theirs = await createClientCsr('branch-7');
    const issued = await signClientCertificate({
      ca: localCa,
      csrPem: theirs.csrPem,
      agentId: 'branch-7',
      validityDays: 1,
    });
    expect(() => new ClientCertificateStore(home).write(mine.keyPem, issued.certificatePem)).toThrow(
      'the certificate central sent does not match the key this agent generated',
    );
    expect(existsSync(home.clientKeyFile)).toBe(false);
  });
});
