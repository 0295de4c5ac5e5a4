// TLS session resumption on the secure agent listener (ADR 53): one set of ticket keys for the installation,
// sealed in PostgreSQL, so an agent's reconnect resumes after a restart and on another node; a new server
// certificate ends every session; a resumed mutual-TLS session goes through the same certificate gate.
// Real PostgreSQL, real TLS, the agent's own connection code (CentralConnection + TlsSessionCache).
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import pg from 'pg';
import { CentralConnection, type ConnectionEnd } from '../../apps/agent/src/central-connection.js';
import type { ConnectionTarget } from '../../apps/agent/src/connection-target.js';
import { Logger } from '../../apps/agent/src/logger.js';
import { TlsSessionCache } from '../../apps/agent/src/tls-session-cache.js';
import { SecretBox, loadOrCreateMasterKey } from '../../apps/central/src/crypto/secret-box.js';
import { TlsTicketKeys } from '../../apps/central/src/listeners/tls-ticket-keys.js';
import { createClientCsr } from '../../libs/pki/index.js';
import { PROTOCOL_VERSION, type Welcome } from '../../libs/protocol/index.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { freePorts, waitFor } from '../support/ports.js';
import { presentedCertificate } from '../support/tls-probe.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The agent's session cache, noting whether each of its TLS handshakes resumed. */
class ObservedSessions extends TlsSessionCache {
  readonly resumed: boolean[] = [];

  override connector(target: ConnectionTarget): (options: ConnectionOptions) => TLSSocket {
    const connect = super.connector(target);
    return (options) => {
      const socket = connect(options);
      socket.once('secureConnect', () => this.resumed.push(socket.isSessionReused()));
      return socket;
    };
  }
}

interface Attempt {
  welcome: Welcome | undefined;
  end: ConnectionEnd | undefined;
  connection: CentralConnection;
}

/** One connection as the agent makes it, until welcomed or ended. */
async function agentConnect(
  sessions: TlsSessionCache,
  target: ConnectionTarget,
  agentId: string,
  bearer: string,
  csrPem?: string,
): Promise<Attempt> {
  let welcome: Welcome | undefined;
  const connection = new CentralConnection({
    target,
    bearer,
    csrPem,
    hello: {
      type: 'hello',
      agentId,
      agentVersion: '0.1.0',
      protocolVersion: PROTOCOL_VERSION,
      capabilities: ['wss'],
      profileSha256: null,
      transport: 'secure',
    },
    logger: new Logger('error', () => {}),
    onWelcome: (w) => (welcome = w),
    onCommand: (c) => ({ type: 'command.result', id: c.id, ok: false, output: 'no' }),
    tlsSessions: sessions,
  });
  const end = await new Promise<ConnectionEnd | undefined>((resolve) => {
    const poll = setInterval(() => {
      if (welcome) resolve(undefined);
    }, 10);
    void connection.ended.then(resolve);
    void connection.ended.finally(() => clearInterval(poll));
  });
  return { welcome, end, connection };
}

/** A TLS connection asking GET /agent (426, or 403 and why); offers `session`, keeps the next one. */
function probe(
  port: number,
  ca: string,
  o: { session?: Buffer; cert?: string; key?: string } = {},
): Promise<{ reused: boolean; answer: string; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let answer = '';
    let session: Buffer | undefined;
    let reused = false;
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...o }, () => {
      reused = socket.isSessionReused();
      socket.write('GET /agent HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    socket.setEncoding('utf8');
    socket.on('session', (next: Buffer) => (session = next));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve({ reused, answer, session }));
    socket.on('error', reject);
  });
}

const resumedCount = async (node: TestCentral): Promise<number> => {
  const text = await (await fetch(new URL('/metrics', node.central.adminUrl))).text();
  return Number(/switchyard_agent_tls_handshakes_total\{resumed="true"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe('TLS session resumption across restarts and nodes (real PostgreSQL, real TLS)', () => {
  let db: TestDatabase;
  let a: TestCentral;
  let b: TestCentral | undefined;
  let bSecure = 0;
  let sql: pg.Client;
  let chain: string;
  let token: string;
  const open: CentralConnection[] = [];
  const credentials = new Map<string, string>();
  const target = (node: TestCentral, caPems = [chain]): ConnectionTarget => ({
    url: `wss://127.0.0.1:${node.ports.secure}/agent`,
    host: '127.0.0.1',
    port: node.ports.secure,
    secure: true,
    caPems,
  });
  const stored = async () =>
    (
      await sql.query<{ keys_encrypted: string; identity_sha256: string; generation: number }>(
        'SELECT keys_encrypted, identity_sha256, generation FROM tls_ticket_keys',
      )
    ).rows;
  /** Connects, keeps the connection open for cleanup; fails when not welcomed. */
  const welcomed = async (...args: Parameters<typeof agentConnect>): Promise<Welcome> => {
    const attempt = await agentConnect(...args);
    open.push(attempt.connection);
    if (!attempt.welcome) throw new Error(`not welcomed: ${attempt.end?.description}`);
    return attempt.welcome;
  };
  const closeAll = () => Promise.all(open.splice(0).map((c) => c.stop('test step over')));

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestCentral(db.url, { heartbeatMs: 1000 });
    await a.api.ok('PUT', '/api/settings/websocket', { secure: { enabled: true } });
    chain = (await a.api.call<string>('GET', '/api/certificates/server/chain')).body;
    token = (await a.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', { maxUses: 20 }))
      .token;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterEach(closeAll);
  afterAll(async () => {
    await closeAll();
    await sql?.end();
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  it('makes one set of keys at the first start, sealed under the master key: the column holds no raw key', async () => {
    const rows = await stored();
    expect(rows).toHaveLength(1);
    const sealed = rows[0]!.keys_encrypted;
    expect(sealed).toMatch(/^v1\./);
    const box = new SecretBox(loadOrCreateMasterKey(join(a.dataDir, 'master.key')));
    const keys = box.open(sealed, 'tls-ticket-keys');
    expect(keys).toHaveLength(48);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(sealed).not.toContain(keys.toString(encoding));
      expect(sealed).not.toContain(keys.subarray(16, 32).toString(encoding)); // not even one half-key
    }
    expect(() => box.open(sealed, 'profile-signing-key')).toThrow('cannot decrypt');
  });

  it("resumes an agent's reconnect after central restarted on the same database, and /metrics counts it", async () => {
    const sessions = new ObservedSessions();
    const first = await welcomed(sessions, target(a), 'resume-1', token);
    credentials.set('resume-1', first.credential!);
    await closeAll();
    expect(await resumedCount(a)).toBe(0);

    const { dataDir, ports } = a;
    await a.stop();
    a = await startTestCentral(db.url, { heartbeatMs: 1000, dataDir, ports });
    await welcomed(sessions, target(a), 'resume-1', first.credential!);
    expect(sessions.resumed).toEqual([false, true]);
    expect(await resumedCount(a)).toBeGreaterThanOrEqual(1);
    expect(await stored()).toHaveLength(1); // the restart made no new keys
  });

  it('resumes on another node of the same installation a session made on the first', async () => {
    const [plain, secure] = await freePorts(2);
    bSecure = secure!;
    b = await startTestCentral(db.url, {
      heartbeatMs: 1000,
      dataDir: a.dataDir,
      env: { SWITCHYARD_AGENT_PLAIN_PORT: String(plain), SWITCHYARD_AGENT_SECURE_PORT: String(secure) },
    });
    const onA = await probe(a.ports.secure, chain);
    expect(onA).toMatchObject({ reused: false, answer: expect.stringMatching(/^HTTP\/1.1 426/) });
    const onB = await probe(secure!, chain, { session: onA.session });
    expect(onB.reused).toBe(true);
    // A resumed handshake brings no new ticket (OpenSSL): the client keeps offering the one it has.
    expect(onB.session).toBeUndefined();
    const backOnA = await probe(a.ports.secure, chain, { session: onA.session });
    expect(backOnA.reused).toBe(true);
  });

  it('mutual TLS: a resumed session shows the client certificate and the gate still refuses it once revoked', async () => {
    await a.api.ok('PUT', '/api/settings/websocket', { secure: { clientAuth: 'optional' } });
    const csr = await createClientCsr('resume-mtls');
    const enrolled = await welcomed(new TlsSessionCache(), target(a), 'resume-mtls', token, csr.csrPem);
    const certificate = { chainPem: enrolled.certificateChainPem!, keyPem: csr.keyPem };
    await closeAll();

    const sessions = new ObservedSessions();
    const withCertificate = { ...target(a), clientCertificate: certificate };
    await welcomed(sessions, withCertificate, 'resume-mtls', enrolled.credential!);
    await closeAll();
    await welcomed(sessions, withCertificate, 'resume-mtls', enrolled.credential!);
    expect(sessions.resumed).toEqual([false, true]);
    // The resumed session carried the certificate: central took the agent for a mutual-TLS one.
    expect((await a.api.ok<{ transport: string }>('GET', '/api/agents/resume-mtls')).transport).toBe(
      'secure+mtls',
    );
    await closeAll();

    // Required: tickets stay on; a session made now resumes, and the gate still judges it.
    await a.api.ok('PUT', '/api/settings/websocket', { secure: { clientAuth: 'required' }, force: true });
    const held = { cert: certificate.chainPem, key: certificate.keyPem };
    const full = await probe(a.ports.secure, chain, held);
    expect(full).toMatchObject({ reused: false, answer: expect.stringMatching(/^HTTP\/1.1 426/) });
    const resumed = await probe(a.ports.secure, chain, { ...held, session: full.session });
    expect(resumed).toMatchObject({ reused: true, answer: expect.stringMatching(/^HTTP\/1.1 426/) });
    await a.api.ok('POST', '/api/agents/resume-mtls/revoke-certificate');
    const refused = await waitFor('the revoked certificate refused on a resumed session', async () => {
      const answer = await probe(a.ports.secure, chain, { ...held, session: full.session });
      return answer.answer.startsWith('HTTP/1.1 403') && answer;
    });
    expect(refused.reused).toBe(true);
    expect(refused.answer).toContain('client certificate revoked');
    await a.api.ok('PUT', '/api/settings/websocket', { secure: { clientAuth: 'optional' } });
  });

  it('rotates the keys once a day old: every node takes the new ones live, earlier sessions end', async () => {
    const before = (await stored())[0]!;
    const earlier = await probe(a.ports.secure, chain);
    await sql.query(`UPDATE tls_ticket_keys SET created_at = now() - interval '25 hours'`);
    await a.central.app.get(TlsTicketKeys).refresh(); // what its 10-minute check does
    expect((await stored())[0]!.generation).toBe(before.generation + 1);
    expect((await probe(a.ports.secure, chain, { session: earlier.session })).reused).toBe(false);
    // Node B heard of the rotation (NOTIFY) and took the new keys: a session of A resumes there.
    const fresh = await probe(a.ports.secure, chain);
    await waitFor(
      'node B on the rotated keys',
      async () => (await probe(bSecure, chain, { session: fresh.session })).reused,
    );
    expect((await stored())[0]!.generation).toBe(before.generation + 1); // B did not rotate again
  });

  it('rotates the keys when the server certificate changes: nothing resumes, the agent verifies the new chain', async () => {
    const before = (await stored())[0]!;
    const oldChain = chain;
    const sessions = new ObservedSessions();
    await welcomed(sessions, target(a), 'resume-1', credentials.get('resume-1')!);
    await closeAll();
    expect(sessions.has(target(a))).toBe(true);
    const offered = (await probe(a.ports.secure, oldChain)).session;

    await a.api.ok('POST', '/api/certificates/server/self-signed', { force: true });
    const newChain = (await a.api.call<string>('GET', '/api/certificates/server/chain')).body;
    const fingerprint = new X509Certificate(newChain).fingerprint256;
    await waitFor(
      'the new certificate on the secure listener',
      async () => (await presentedCertificate(a.ports.secure)).fingerprint256 === fingerprint,
    );
    const after = (await stored())[0]!;
    expect(after.generation).toBe(before.generation + 1); // once, though both nodes swapped
    expect(after.identity_sha256).not.toBe(before.identity_sha256);

    // The agent still trusting only the old certificate offers its session, gets a full handshake,
    // refuses the new chain, and forgets the session.
    const refused = await agentConnect(
      sessions,
      target(a, [oldChain]),
      'resume-1',
      credentials.get('resume-1')!,
    );
    expect(refused.welcome).toBeUndefined();
    expect(refused.end?.trustFailure).toBe(true);
    expect(sessions.resumed).toEqual([false]); // the second handshake never completed
    expect(sessions.has(target(a, [oldChain]))).toBe(false);
    // A client trusting the new chain gets a full handshake even when it offers the old session.
    const fresh = await probe(a.ports.secure, newChain, { session: offered });
    expect(fresh.reused).toBe(false);
    expect(fresh.answer).toMatch(/^HTTP\/1.1 426/);
  });
});
