import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type LoggerService } from '@nestjs/common';
import { AgentHome } from '../../apps/agent/src/agent-home.js';
import { parseAgentConfText } from '../../apps/agent/src/agent-conf-file.js';
import { AgentRunner } from '../../apps/agent/src/agent-runner.js';
import { Logger as AgentLogger } from '../../apps/agent/src/logger.js';
import { AgentSessions } from '../../apps/central/src/agents/agent-sessions.js';
import { InSessionCertificates } from '../../apps/central/src/local-ca/in-session-certificates.js';
import { LocalCaService } from '../../apps/central/src/local-ca/local-ca.service.js';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { createClientCsr, generateLocalCa, signClientCertificate } from '../../libs/pki/index.js';
import { CLIENT_CERT_IN_SESSION, CloseCode } from '../../libs/protocol/index.js';
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

/** Central's log, kept to check the lines an operator would read. */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: string): void {
    this.lines.push(`${context ?? ''}: ${String(message)}`);
  }
  warn(message: unknown, context?: string): void {
    this.log(message, context);
  }
  error(message: unknown, context?: string): void {
    this.log(message, context);
  }
}

/** What `openssl s_client` prints when it connects (stdin held open so it reads the server's alert). */
function sClient(port: number, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
      { timeout: 10_000 },
      (_error, stdout, stderr) => resolve(stdout + stderr),
    );
    setTimeout(() => child.stdin?.end(), 1500);
  });
}

describe('client certificates issued over the session (real PostgreSQL, real TLS, real agents)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let token: string;
  let serverChain: string;
  const log = new CapturedLog();
  const runners: AgentRunner[] = [];
  const homes = new Map<string, AgentHome>();
  const agentLines = new Map<string, string[]>();
  const credentials = new Map<string, string>();
  const open: RawAgent[] = [];

  const setClientAuth = (clientAuth: string, force = false) =>
    c.api.call<{ message?: string }>('PUT', '/api/settings/websocket', {
      secure: { clientAuth },
      ...(force ? { force: true } : {}),
    });
  const agentRow = (id: string) =>
    c.api.ok<{ transport: string; status: string }>('GET', `/api/agents/${id}`);
  const audit = (search: string) =>
    c.api.ok<AuditEntry[]>('GET', `/api/audit?search=${encodeURIComponent(search)}&limit=200`);
  const sessionOf = (id: string) => c.central.app.get(AgentSessions).session(id);

  /** The agent library, in this process, against the real central over wss. */
  const startAgent = (agentId: string) => {
    const home = new AgentHome(makeTempDir(`sy-insession-${agentId}-`));
    mkdirSync(join(home.root, 'conf', 'security'), { recursive: true });
    writeFileSync(
      join(home.root, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central', der: new X509Certificate(serverChain).raw }], 'changeit'),
    );
    const text = [
      'central.host=127.0.0.1',
      `central.websocket.port=${c.ports.plain}`,
      'central.websocket.secure=true',
      `central.websocket.secure.port=${c.ports.secure}`,
      `agent.id=${agentId}`,
      'jetty.jvm.args=-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS',
      '',
    ].join('\n');
    writeFileSync(home.confFile, text);
    const loaded = parseAgentConfText(text);
    if (!loaded.ok) throw new Error(loaded.issues.join('; '));
    const lines: string[] = [];
    const runner = new AgentRunner({
      home,
      conf: loaded.conf,
      confText: text,
      credential: undefined,
      enrollmentToken: token,
      logger: new AgentLogger('debug', (line) => lines.push(line)),
      backoff: { baseMs: 50, maxMs: 200 },
      random: () => 0.5,
      confPollMs: 200,
    });
    runners.push(runner);
    homes.set(agentId, home);
    agentLines.set(agentId, lines);
    void runner.run();
  };

  const raw = async (
    agentId: string,
    o: { url?: string; secret?: string; held?: { key: string; cert: string }; capabilities?: string[] } = {},
  ) => {
    const agent = new RawAgent({
      url: o.url ?? `wss://127.0.0.1:${c.ports.secure}/agent`,
      agentId,
      secret: o.secret ?? credentials.get(agentId) ?? token,
      ca: serverChain,
      cert: o.held?.cert,
      key: o.held?.key,
    });
    open.push(agent);
    await agent.opened;
    agent.hello(o.url?.startsWith('ws:') ? 'plain' : 'secure', {
      capabilities: o.capabilities ?? ['wss'],
    });
    const welcome = await agent.welcome();
    if (typeof welcome.credential === 'string') credentials.set(agentId, welcome.credential);
    return agent;
  };
  const frameOf = async (agent: RawAgent, type: string, timeoutMs = 5000) =>
    waitFor(
      `${type} for ${agent.options.agentId}`,
      async () => agent.frames.find((f) => f.type === type),
      timeoutMs,
      10,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000, logger: log });
    await c.api.ok('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    serverChain = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { maxUses: 1000 }))
      .token;
  });
  afterAll(async () => {
    for (const agent of open.splice(0)) agent.socket.terminate();
    await Promise.all(runners.map((r) => r.stop()));
    await c?.stop();
    await db?.drop();
  });

  it('clientAuth none → optional: connected agents get a certificate over their current session within 10 s, no reconnect; older agents get no offer', async () => {
    startAgent('insess-1');
    startAgent('insess-2');
    const old = await raw('old-1'); // reports only "wss": an agent from before in-session certificates
    for (const id of ['insess-1', 'insess-2'])
      await waitFor(`${id} online`, async () => (await agentRow(id)).status === 'online', 10_000);
    const sessionsBefore = new Map(['insess-1', 'insess-2'].map((id) => [id, sessionOf(id)!.id]));
    expect(sessionOf('insess-1')!.capabilities).toContain(CLIENT_CERT_IN_SESSION);

    const switched = Date.now();
    expect((await setClientAuth('optional')).status).toBe(200);
    for (const id of ['insess-1', 'insess-2']) {
      const home = homes.get(id)!;
      await waitFor(
        `${id} holds a certificate`,
        async () => existsSync(home.clientCertificateFile),
        10_000,
        20,
      );
    }
    const tookMs = Date.now() - switched;
    expect(tookMs).toBeLessThan(10_000);
    console.log(
      `in-session issuance: 2 connected agents held a certificate ${tookMs} ms after clientAuth → optional`,
    );

    for (const id of ['insess-1', 'insess-2']) {
      const home = homes.get(id)!;
      // the same session: nothing reconnected
      expect(sessionOf(id)!.id).toBe(sessionsBefore.get(id));
      const chain = readFileSync(home.clientCertificateFile, 'utf8');
      const leaf = new X509Certificate(chain);
      expect(leaf.subject).toBe(`CN=${id}`);
      expect(
        leaf.checkIssued(new X509Certificate(await c.api.ok<string>('GET', '/api/certificates/ca'))),
      ).toBe(true);
      // stored with the key the agent made for it (0600), which never went to central
      const key = readFileSync(home.clientKeyFile, 'utf8');
      expect(statSync(home.clientKeyFile).mode & 0o777).toBe(0o600);
      expect(
        createPublicKey(createPrivateKey(key))
          .export({ type: 'spki', format: 'der' })
          .equals(leaf.publicKey.export({ type: 'spki', format: 'der' })),
      ).toBe(true);
      expect(agentLines.get(id)!.join('\n')).toContain(
        'central offers a client certificate (first-certificate)',
      );
    }
    const issued = (await audit('agent certificate')).filter((e) => e.details.inSession === true);
    expect(issued.map((e) => e.target).sort()).toEqual(['insess-1', 'insess-2']);
    expect(issued[0]).toMatchObject({ outcome: 'success' });
    expect(issued[0].details).toMatchObject({ why: 'first certificate', serial: expect.any(String) });
    expect(issued[0].actor).toMatch(/^agent:insess-/);

    // the older agent was never offered one (it would not know the frame)
    expect(old.frames.map((f) => f.type)).toEqual(['welcome']);
  });

  it('their next connection presents the certificate (secure+mtls)', async () => {
    for (const id of ['insess-1', 'insess-2']) {
      sessionOf(id)!.close(CloseCode.GOING_AWAY, 'test: reconnect');
      await waitFor(
        `${id} back over mutual TLS`,
        async () => {
          const row = await agentRow(id);
          return row.status === 'online' && row.transport === 'secure+mtls';
        },
        10_000,
      );
    }
  });

  it('renewal: an agent whose certificate is in its last 30 days gets a new one over its session', async () => {
    // enrolled over plain by an agent of the old kind, then given a certificate that ends in 10 days
    const enrolled = await raw('renew-1', { url: `ws://127.0.0.1:${c.ports.plain}/agent` });
    enrolled.socket.close();
    const first = await createClientCsr('renew-1');
    const shortLived = await c.central.app
      .get(LocalCaService)
      .issueAgentCertificate('renew-1', first.csrPem, {
        notBefore: new Date(Date.now() - 86_400_000),
        notAfter: new Date(Date.now() + 10 * 86_400_000),
      });
    const agent = await raw('renew-1', {
      held: { key: first.keyPem, cert: shortLived.chainPem },
      capabilities: ['wss', 'mtls', CLIENT_CERT_IN_SESSION],
    });
    expect((await agentRow('renew-1')).transport).toBe('secure+mtls');
    const offer = await frameOf(agent, 'certificate.offer');
    expect(offer).toMatchObject({ reason: 'renewal', offerId: expect.any(String) });

    // an answer to an offer that was never made is ignored
    agent.send({ type: 'certificate.csr', offerId: 'not-an-offer', csrPem: first.csrPem });
    const next = await createClientCsr('renew-1');
    agent.send({ type: 'certificate.csr', offerId: offer.offerId, csrPem: next.csrPem });
    const issued = await frameOf(agent, 'certificate.issued');
    expect(issued.offerId).toBe(offer.offerId);
    const leaf = new X509Certificate(issued.certificateChainPem as string);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(
      leaf.publicKey
        .export({ type: 'spki', format: 'der' })
        .equals(createPublicKey(createPrivateKey(next.keyPem)).export({ type: 'spki', format: 'der' })),
    ).toBe(true);
    expect(agent.frames.filter((f) => f.type === 'certificate.issued')).toHaveLength(1);
    expect(log.lines.join('\n')).toContain('sent a CSR for offer not-an-offer, which is not open; ignored');
    const renewal = (await audit('agent certificate')).find(
      (e) => e.target === 'renew-1' && e.details.inSession === true,
    );
    expect(renewal?.details).toMatchObject({ why: 'renewal', serial: leaf.serialNumber.toLowerCase() });
    // the session stays: the new certificate is for the next connection
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    agent.socket.close();
  });

  it('a CSR for another agent id is refused, audited, and nothing is sent back', async () => {
    const agent = await raw('wrong-cn-1', { capabilities: ['wss', CLIENT_CERT_IN_SESSION] });
    const offer = await frameOf(agent, 'certificate.offer');
    agent.send({
      type: 'certificate.csr',
      offerId: offer.offerId,
      csrPem: (await createClientCsr('someone-else')).csrPem,
    });
    const refused = await waitFor('refusal audited', async () =>
      (await audit('agent certificate')).find((e) => e.target === 'wrong-cn-1' && e.outcome === 'refused'),
    );
    expect(refused.details).toMatchObject({ inSession: true, why: 'first certificate' });
    expect(agent.frames.some((f) => f.type === 'certificate.issued')).toBe(false);
    agent.socket.close();
    // Its end is recorded in the next status batch: the next test counts the agents connected.
    await waitFor('wrong-cn-1 gone', async () => (await agentRow('wrong-cn-1')).status !== 'online', 10_000);
  });

  it('required: the 409 says how many connected agents hold a certificate and names those that would be refused', async () => {
    const r = await setClientAuth('required');
    expect(r.status).toBe(409);
    const body = JSON.stringify(r.body);
    // insess-1 and insess-2 (secure+mtls) hold one; old-1 (secure, never offered) would be refused
    expect(body).toContain(
      '2 of 3 agent(s) connected over TLS hold a valid client certificate; 1 would be refused at the handshake: old-1.',
    );
    expect(r.body).toMatchObject({ connected: 3, holdingCertificate: 2, agents: [{ id: 'old-1' }] });
    expect((await setClientAuth('required', true)).status).toBe(200);
  });

  it('required: openssl s_client without a certificate sees the TLS alert, and central logs the address and the reason', async () => {
    const tls13 = await sClient(c.ports.secure, ['-tls1_3']);
    expect(tls13).toMatch(/tlsv13 alert certificate required/);
    const tls12 = await sClient(c.ports.secure, ['-tls1_2']);
    expect(tls12).toMatch(/alert handshake failure/);
    expect(tls12).toContain('Acceptable client certificate CA names');
    await waitFor('log line', async () =>
      log.lines.some((l) =>
        l.includes('refused TLS handshake from 127.0.0.1: no client certificate (mutual TLS is required)'),
      ),
    );
  });

  it('required: a certificate of a foreign CA is refused after the handshake (403 to any request, ADR 31) and logged with the address, the agent it names and why', async () => {
    const foreignCa = await generateLocalCa({ commonName: 'Someone else CA', validityDays: 30 });
    const csr = await createClientCsr('insess-1');
    const foreign = await signClientCertificate({
      ca: foreignCa,
      csrPem: csr.csrPem,
      agentId: 'insess-1',
      validityDays: 30,
    });
    const dir = makeTempDir('sy-foreign-');
    writeFileSync(join(dir, 'c.pem'), foreign.certificatePem);
    writeFileSync(join(dir, 'k.pem'), csr.keyPem);
    await sClient(c.ports.secure, ['-cert', join(dir, 'c.pem'), '-key', join(dir, 'k.pem')]);
    await waitFor('log line', async () =>
      log.lines.some((l) =>
        /refused TLS handshake from agent insess-1 \(127\.0\.0\.1\): client certificate (is self-signed, )?not issued by the local CA/.test(
          l,
        ),
      ),
    );
    expect(log.lines.join('\n')).not.toMatch(/handshake from \?/);
  });

  it('a fleet of 50 capable agents: all get a certificate, the exchanges paced', async () => {
    await setClientAuth('none');
    const fleet: RawAgent[] = [];
    let csrsSent = 0;
    for (let i = 0; i < 50; i++) {
      const agent = await raw(`fleet-${i}`, {
        url: `ws://127.0.0.1:${c.ports.plain}/agent`,
        capabilities: ['wss', CLIENT_CERT_IN_SESSION],
      });
      fleet.push(agent);
      agent.socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Record<string, unknown>;
        if (frame.type !== 'certificate.offer') return;
        void createClientCsr(agent.options.agentId).then((csr) => {
          csrsSent++;
          agent.send({ type: 'certificate.csr', offerId: frame.offerId, csrPem: csr.csrPem });
        });
      });
    }
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = Date.now();
    expect((await setClientAuth('optional')).status).toBe(200);
    await waitFor(
      'every agent of the fleet holds a certificate',
      async () => fleet.every((a) => a.frames.some((f) => f.type === 'certificate.issued')),
      60_000,
      50,
    ).catch((error: Error) => {
      const count = (t: string) => fleet.filter((a) => a.frames.some((f) => f.type === t)).length;
      throw new Error(
        `${error.message}: ${count('certificate.offer')} offered, ${count('certificate.issued')} issued, ${csrsSent} CSRs sent`,
      );
    });
    const tookMs = Date.now() - started;
    delay.disable();
    await c.central.app.get(InSessionCertificates).idle();
    const maxMs = delay.max / 1e6;
    const p99Ms = delay.percentile(99) / 1e6;
    console.log(
      `in-session issuance, 50 agents (central and agents in one process): ${tookMs} ms; event-loop delay p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`,
    );
    // a figure, not a bound: on a loaded 2-core machine the commits, not the pacing, set the pace
    for (const agent of fleet) agent.socket.close();
  });
});
