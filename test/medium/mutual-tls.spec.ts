import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { CertificateRevocations } from '../../apps/central/src/local-ca/certificate-revocations.js';
import { LocalCaService } from '../../apps/central/src/local-ca/local-ca.service.js';
import {
  createClientCsr,
  generateLocalCa,
  signClientCertificate,
  type ClientCsr,
} from '../../libs/pki/index.js';
import { CSR_HEADER, CloseCode, encodeCsrHeader } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

interface AuditEntry {
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

/** A client certificate as an agent holds it: its own key, and the chain central returned. */
interface Held {
  key: string;
  cert: string;
}

/**
 * What a TLS client sees when it connects and sends an HTTP request: `refused` when the server closes
 * right after the handshake without reading it (the mutual TLS refusal), `answered` with the status line.
 */
function tlsOutcome(
  port: number,
  ca: string,
  held?: Held,
): Promise<{ kind: 'refused' } | { kind: 'answered'; status: string }> {
  return new Promise((resolve) => {
    let data = '';
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...held }, () => {
      socket.write('GET /agent HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    const done = () =>
      resolve(data ? { kind: 'answered', status: data.split('\r\n')[0] } : { kind: 'refused' });
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

/**
 * What `openssl s_client` prints when it presents `held` and sends the agent's upgrade path: the whole
 * exchange as an operator trying by hand would see it (TLS alerts, or the HTTP answer).
 */
function opensslAnswer(port: number, held: Held): Promise<string> {
  const dir = makeTempDir('sy-mtls-openssl-');
  writeFileSync(join(dir, 'client.crt'), held.cert);
  writeFileSync(join(dir, 'client.key'), held.key, { mode: 0o600 });
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        '-cert',
        join(dir, 'client.crt'),
        '-key',
        join(dir, 'client.key'),
        '-quiet', // and -ign_eof: wait for the answer after the request was sent
      ],
      { timeout: 15_000 },
      (_error, stdout, stderr) => resolve(stdout + stderr),
    );
    child.stdin?.end('GET /agent HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  });
}

/** openssl's view of the server hello: which CA names the server asks client certificates from. */
function acceptableClientCaNames(port: number): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-tls1_2'],
      { timeout: 10_000 },
      (_error, stdout) => resolve(stdout),
    );
    child.stdin?.end();
  });
}

describe('mutual TLS with the local CA (real PostgreSQL, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let serverChain: string;
  let caPem: string;
  const credentials = new Map<string, string>();
  const certificates = new Map<string, Held>();
  const open: RawAgent[] = [];

  const wss = () => `wss://127.0.0.1:${c.ports.secure}/agent`;
  const setClientAuth = (clientAuth: string) =>
    c.api.ok('PUT', '/api/settings/websocket', { secure: { clientAuth } });
  const agentRow = (id: string) =>
    c.api.ok<{ transport: string; status: string }>('GET', `/api/agents/${id}`);
  const audit = (search: string) =>
    c.api.ok<AuditEntry[]>('GET', `/api/audit?search=${encodeURIComponent(search)}&limit=50`);
  const connect = async (
    agentId: string,
    o: { secret?: string; held?: Held; csr?: ClientCsr; url?: string } = {},
  ): Promise<RawAgent> => {
    const agent = new RawAgent({
      url: o.url ?? wss(),
      agentId,
      secret: o.secret ?? credentials.get(agentId) ?? token,
      ca: serverChain,
      cert: o.held?.cert,
      key: o.held?.key,
      headers: o.csr ? { [CSR_HEADER]: encodeCsrHeader(o.csr.csrPem) } : undefined,
    });
    open.push(agent);
    await agent.opened;
    agent.hello('secure');
    const welcome = await agent.welcome();
    if (typeof welcome.credential === 'string') credentials.set(agentId, welcome.credential);
    if (o.csr && typeof welcome.certificateChainPem === 'string')
      certificates.set(agentId, { key: o.csr.keyPem, cert: welcome.certificateChainPem });
    return agent;
  };
  const handshakeRefusals = async (reason: string) =>
    (await audit('agent handshake')).filter((e) => e.details.reason === reason);

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    await c.api.ok('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    serverChain = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { maxUses: 100 }))
      .token;
  });
  afterEach(() => {
    for (const agent of open.splice(0)) agent.socket.terminate();
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('GET /api/certificates/ca serves the local CA certificate (CA:true, P-256), behind the admin login', async () => {
    const r = await c.api.call<string>('GET', '/api/certificates/ca');
    expect(r.status).toBe(200);
    caPem = r.body;
    const ca = new X509Certificate(caPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/CN=Switchyard local CA [0-9a-f]{8}/);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(caPem).not.toContain('PRIVATE KEY');
    expect((await c.api.call<string>('GET', '/api/certificates/ca')).body).toBe(caPem); // created once
    const anonymous = await fetch(new URL('/api/certificates/ca', c.central.adminUrl));
    expect(anonymous.status).toBe(401);
  });

  it('none: no client certificate is asked for, and a CSR gets no certificate', async () => {
    expect(await acceptableClientCaNames(c.ports.secure)).toContain('No client certificate CA names sent');
    const csr = await createClientCsr('plain-tls-1');
    const agent = await connect('plain-tls-1', { csr });
    const welcome = await agent.welcome();
    expect(welcome.credential).toEqual(expect.any(String));
    expect(welcome.certificateChainPem).toBeUndefined();
    expect((await agentRow('plain-tls-1')).transport).toBe('secure');
  });

  it('optional: the local CA is asked for; enrolling with a CSR returns a certificate and the agent then connects as secure+mtls', async () => {
    await setClientAuth('optional');
    const names = await acceptableClientCaNames(c.ports.secure);
    expect(names).toContain('Acceptable client certificate CA names');
    expect(names).toContain(new X509Certificate(caPem).subject.match(/CN=(.*)/)![1]);

    const csr = await createClientCsr('mtls-1');
    const enrolling = await connect('mtls-1', { csr });
    const welcome = await enrolling.welcome();
    expect(welcome.credential).toEqual(expect.any(String));
    const chain = welcome.certificateChainPem as string;
    const leaf = new X509Certificate(chain);
    expect(leaf.subject).toBe('CN=mtls-1');
    expect(leaf.subjectAltName).toBe('URI:urn:switchyard:agent:mtls-1');
    expect(leaf.checkIssued(new X509Certificate(caPem))).toBe(true);
    expect(chain.endsWith(caPem)).toBe(true);
    expect((await agentRow('mtls-1')).transport).toBe('secure'); // this connection showed no certificate
    enrolling.socket.close();

    await connect('mtls-1', { held: certificates.get('mtls-1') });
    expect(await agentRow('mtls-1')).toMatchObject({ status: 'online', transport: 'secure+mtls' });
    const listed = await c.api.ok<Array<{ id: string }>>('GET', '/api/agents?transport=secure%2Bmtls');
    expect(listed.map((a) => a.id)).toEqual(['mtls-1']);

    // optional: an agent without a certificate still connects, over plain TLS
    await connect('plain-tls-1');
    expect((await agentRow('plain-tls-1')).transport).toBe('secure');
    const issued = (await audit('agent certificate')).find((e) => e.target === 'mtls-1')!;
    expect(issued).toMatchObject({ actor: 'agent:mtls-1', outcome: 'success' });
    expect(issued.details).toMatchObject({ why: 'enrollment', serial: expect.any(String) });
  });

  it('a certificate of one agent with the credential of another is refused (403)', async () => {
    const borrowed = new RawAgent({
      url: wss(),
      agentId: 'plain-tls-1',
      secret: credentials.get('plain-tls-1'),
      ca: serverChain,
      ...certificates.get('mtls-1'),
    });
    open.push(borrowed);
    await expect(borrowed.opened).rejects.toThrow('HTTP 403');
  });

  it('optional: a presented certificate from a foreign CA is refused (403 naming the reason), logged and audited', async () => {
    const foreignCa = await generateLocalCa({ commonName: 'Someone else CA', validityDays: 30 });
    const csr = await createClientCsr('mtls-1');
    const foreign = await signClientCertificate({
      ca: foreignCa,
      csrPem: csr.csrPem,
      agentId: 'mtls-1',
      validityDays: 30,
    });
    const held = { key: csr.keyPem, cert: foreign.certificatePem };
    // the handshake completed (optional), so the refusal comes as an HTTP answer that says why
    expect(await tlsOutcome(c.ports.secure, serverChain, held)).toEqual({
      kind: 'answered',
      status: 'HTTP/1.1 403 Forbidden',
    });
    // the same client without that certificate gets an HTTP answer: it is the certificate that is refused
    expect(await tlsOutcome(c.ports.secure, serverChain)).toEqual({
      kind: 'answered',
      status: 'HTTP/1.1 426 Upgrade Required',
    });
    certificates.set('foreign', held);
    const rows = await waitFor('audit of the refusal', async () => {
      const found = (await audit('agent handshake')).filter((e) =>
        String(e.details.reason).includes('not issued by the local CA'),
      );
      return found.length > 0 && found;
    });
    expect(rows[0]).toMatchObject({ actor: 'system', outcome: 'refused', target: 'mtls-1' });
    expect(rows[0].details).toMatchObject({ address: '127.0.0.1', clientAuth: 'optional' });
  });

  it('required: 409 for agents without certificates unless forced; plain-TLS sessions are closed, an agent without a certificate is refused at the handshake (audited), one with a certificate connects', async () => {
    const withoutCert = await connect('plain-tls-1');
    const closed = withoutCert.closed;
    // plain-tls-1 was never issued a certificate: requiring one would strand it (409, like plain)
    const strand = await c.api.call<{ details: { agents: Array<{ id: string }> } }>(
      'PUT',
      '/api/settings/websocket',
      {
        secure: { clientAuth: 'required' },
      },
    );
    expect(strand.status).toBe(409);
    expect(JSON.stringify(strand.body)).toContain('plain-tls-1');
    expect(JSON.stringify(strand.body)).not.toContain('mtls-1');
    await c.api.ok('PUT', '/api/settings/websocket', { secure: { clientAuth: 'required' }, force: true });
    expect(await closed).toMatchObject({ code: CloseCode.GOING_AWAY });

    expect(await tlsOutcome(c.ports.secure, serverChain)).toEqual({ kind: 'refused' });
    const refused = new RawAgent({
      url: wss(),
      agentId: 'plain-tls-1',
      secret: credentials.get('plain-tls-1'),
      ca: serverChain,
    });
    open.push(refused);
    // OpenSSL refuses the handshake with a TLS alert that says why
    await expect(refused.opened).rejects.toThrow(/alert certificate required|alert handshake failure/);
    const rows = await waitFor('audit of the refusal', async () => {
      const found = await handshakeRefusals('no client certificate (mutual TLS is required)');
      return found.length > 0 && found;
    });
    expect(rows[0]).toMatchObject({
      actor: 'system',
      action: 'agent handshake',
      outcome: 'refused',
      target: null,
    });
    expect(rows[0].details).toMatchObject({ address: '127.0.0.1', clientAuth: 'required' });

    await connect('mtls-1', { held: certificates.get('mtls-1') });
    expect((await agentRow('mtls-1')).transport).toBe('secure+mtls');

    // required, foreign CA: refused as well. Node sends no alert for a bad chain (ADR 31): the
    // connection is kept and the request answered 403 with the reason, which the client reads.
    expect(await tlsOutcome(c.ports.secure, serverChain, certificates.get('foreign'))).toEqual({
      kind: 'answered',
      status: 'HTTP/1.1 403 Forbidden',
    });
    const seen = await opensslAnswer(c.ports.secure, certificates.get('foreign')!);
    expect(seen).toContain('HTTP/1.1 403 Forbidden');
    expect(seen).toMatch(/"error":"client certificate not issued by the local CA \(\w+\)"/);
  });

  it('required: an expired certificate of the local CA is refused with 403 and why (openssl s_client reads it)', async () => {
    const csr = await createClientCsr('mtls-1');
    const expired = await c.central.app.get(LocalCaService).issueAgentCertificate('mtls-1', csr.csrPem, {
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const held = { key: csr.keyPem, cert: expired.chainPem };
    expect(await tlsOutcome(c.ports.secure, serverChain, held)).toEqual({
      kind: 'answered',
      status: 'HTTP/1.1 403 Forbidden',
    });
    const seen = await opensslAnswer(c.ports.secure, held);
    expect(seen).toContain('HTTP/1.1 403 Forbidden');
    expect(seen).toContain('"error":"client certificate expired (CERT_HAS_EXPIRED)"');
    await waitFor('audit of the refusal', async () => {
      const found = await handshakeRefusals('client certificate expired (CERT_HAS_EXPIRED)');
      return found.length > 0 && found;
    });
  });

  it('revocation closes the mTLS session (4401) and the certificate is refused from the next handshake; re-enrolling with an admin re-enroll token gives a new one', async () => {
    const agent = await connect('mtls-1', { held: certificates.get('mtls-1') });
    const r = await c.api.call<{ agentId: string; revokedSerials: string[] }>(
      'POST',
      '/api/agents/mtls-1/revoke-certificate',
    );
    expect(r.status).toBe(200);
    expect(r.body.agentId).toBe('mtls-1');
    expect(r.body.revokedSerials).toContain(
      new X509Certificate(certificates.get('mtls-1')!.cert).serialNumber.toLowerCase(),
    );
    expect(await agent.closed).toEqual({
      code: CloseCode.CERTIFICATE_REVOKED,
      reason: 'client certificate revoked',
    });

    // OpenSSL knows nothing of revocation: the handshake completes and the request gets 403 and why
    expect(await tlsOutcome(c.ports.secure, serverChain, certificates.get('mtls-1'))).toEqual({
      kind: 'answered',
      status: 'HTTP/1.1 403 Forbidden',
    });
    await waitFor('audit of the refusal', async () => {
      const found = await handshakeRefusals('client certificate revoked');
      return found.length > 0 && found;
    });
    const write = (await audit('revoke-certificate')).find((e) => e.target === 'mtls-1')!;
    expect(write).toMatchObject({ actor: 'admin', outcome: 'success' });
    expect((await c.api.call('POST', '/api/agents/mtls-1/revoke-certificate')).status).toBe(404);

    // with its credential only, over plain, the agent gets no new certificate: that needs a token
    const plainUrl = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const ask = await connect('mtls-1', { url: plainUrl, csr: await createClientCsr('mtls-1') });
    expect((await ask.welcome()).certificateChainPem).toBeUndefined();
    ask.socket.close();
    // enrolling again with an admin's re-enroll token (an ordinary token cannot take an enrolled id, ADR 25;
    // over plain: without a certificate it cannot pass a required handshake)
    const reEnroll = await c.api.ok<{ token: string }>('POST', '/api/agents/mtls-1/re-enroll', {});
    const csr = await createClientCsr('mtls-1');
    const again = await connect('mtls-1', { url: plainUrl, secret: reEnroll.token, csr });
    expect((await again.welcome()).certificateChainPem).toEqual(expect.any(String));
    again.socket.close();
    await connect('mtls-1', { held: certificates.get('mtls-1') });
    expect((await agentRow('mtls-1')).transport).toBe('secure+mtls');
  });

  it('an agent enrolled before mutual TLS gets its first certificate on its credential, once', async () => {
    const plainUrl = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const first = await connect('plain-tls-1', { url: plainUrl, csr: await createClientCsr('plain-tls-1') });
    expect((await first.welcome()).certificateChainPem).toEqual(expect.any(String));
    first.socket.close();
    const second = await connect('plain-tls-1', { url: plainUrl, csr: await createClientCsr('plain-tls-1') });
    expect((await second.welcome()).certificateChainPem).toBeUndefined();
  });

  it('a second node on the same database uses the same CA and learns a revocation through NOTIFY', async () => {
    const second = await startTestCentral(db.url, { dataDir: c.dataDir }); // same master key
    try {
      expect((await second.api.call<string>('GET', '/api/certificates/ca')).body).toBe(caPem);
      const serial = new X509Certificate(certificates.get('plain-tls-1')!.cert).serialNumber;
      const revocations = second.central.app.get(CertificateRevocations);
      expect(revocations.isRevoked(serial)).toBe(false);
      await c.api.ok('POST', '/api/agents/plain-tls-1/revoke-certificate');
      await waitFor('the other node to know', async () => revocations.isRevoked(serial), 5000, 20);
    } finally {
      await second.stop();
    }
  });

  it('back to none: agents holding certificates simply connect, as secure', async () => {
    await setClientAuth('none');
    expect(await acceptableClientCaNames(c.ports.secure)).toContain('No client certificate CA names sent');
    await connect('mtls-1', { held: certificates.get('mtls-1') });
    expect((await agentRow('mtls-1')).transport).toBe('secure');
    // without mutual TLS a certificate is not even asked for, so a foreign one changes nothing
    expect(await tlsOutcome(c.ports.secure, serverChain, certificates.get('foreign'))).toEqual({
      kind: 'answered',
      status: 'HTTP/1.1 426 Upgrade Required',
    });
  });
});
