// Issue 17 point 4 (ADR 44): an operator asks an agent for a diagnostics bundle; the agent (a real agent
// process over real TLS) uploads it over its session; central checks and stores it; the download holds
// the log tail, the status, agent.conf without its secrets and the truststore's fingerprints. Then bad
// uploads from hand-driven agents: each refused with its reason, nothing stored.
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { DIAGNOSTICS_CHUNK_BYTES } from '../../libs/protocol/index.js';
import { createDataSource } from '../../apps/central/src/database/database.js';
import { readBundleFiles } from '../../apps/central/src/diagnostics/diagnostics-bundle.check.js';
import { DiagnosticsRepository } from '../../apps/central/src/diagnostics/diagnostics.repository.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { ApiClient } from '../support/api-client.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { startAgentProcess, type RunningProcess } from '../support/processes.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const AGENT = 'diag-branch-1';
/** Secrets planted in the agent's files: none may reach central. */
const PLANTED = {
  storePassword: 'PlantedStorePass-1a2b',
  comment: 'PlantedComment-3c4d',
  token: 'PlantedToken-5e6f',
  local: 'PlantedLocal-7a8b',
  localHash: '$scrypt$N=16384,r=8,p=1$c2FsdA$PlantedHash9c0d',
};

interface Bundle {
  id: string;
  agentId: string;
  state: 'requested' | 'received' | 'failed';
  reason: string | null;
  sizeBytes: number | null;
  sha256: string | null;
}
interface Answer {
  requested: Bundle[];
  refused: Array<{ agentId: string; reason: string }>;
}
interface AuditEntry {
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

describe('diagnostics bundles from agents (real PostgreSQL, real agent process, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let agent: RunningProcess | undefined;
  let temp: string;
  let token: string;
  const raws: RawAgent[] = [];

  beforeAll(async () => {
    temp = makeTempDir('sy-diag-');
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 2000, env: { SWITCHYARD_AGENT_HOSTS: 'localhost' } });
    await c.api.ok('PUT', '/api/settings/websocket', {
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: c.ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
    ({ token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {}));
  });
  afterAll(async () => {
    for (const raw of raws) raw.socket.terminate();
    await agent?.stop();
    await c?.stop();
    await db?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const list = (agentId: string) => c.api.ok<Bundle[]>('GET', `/api/diagnostics?agentId=${agentId}`);
  const settled = (id: string, agentId: string) =>
    waitFor(
      `diagnostics request ${id} settled`,
      async () => (await list(agentId)).find((b) => b.id === id && b.state !== 'requested'),
      30_000,
    );
  const audit = (action: string) =>
    c.api.ok<AuditEntry[]>('GET', `/api/audit?action=${encodeURIComponent(action)}&limit=200`);

  it('round trip: request → bundle over the session → download with log tail, no secrets, the truststore fingerprints', async () => {
    const chain = await c.api.ok<string>('GET', '/api/certificates/server/chain');
    const serverCa = new X509Certificate(chain);
    const home = join(temp, 'agent');
    mkdirSync(join(home, 'conf', 'security'), { recursive: true });
    writeFileSync(
      join(home, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central', der: serverCa.raw }], PLANTED.storePassword),
    );
    writeFileSync(
      join(home, 'conf', 'agent.conf'),
      [
        `# old admin password: ${PLANTED.comment}`,
        'central.host=localhost',
        `central.websocket.port=${c.ports.plain}`,
        'central.websocket.secure=true',
        `central.websocket.secure.port=${c.ports.secure}`,
        `agent.id=${AGENT}`,
        `jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=${PLANTED.storePassword}`,
        `site.api.token=${PLANTED.token}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(home, 'conf', 'agent.local.conf'),
      `agent.group=north\nlocal.db.password=${PLANTED.local}\nagent.local.api.password.hash=${PLANTED.localHash}\n`,
    );
    agent = startAgentProcess(['--home', home, '--token', token, '--backoff-base-ms', '200']);
    await waitFor(
      'the agent online over wss, able to send diagnostics',
      async () => {
        const r = await c.api.call<{ status: string; transport: string; capabilities: string[] }>(
          'GET',
          `/api/agents/${AGENT}`,
        );
        return r.status === 200 && r.body.status === 'online' && r.body.capabilities.includes('diagnostics');
      },
      30_000,
    );
    // Central shows it online before the agent has stored the credential its welcome carried.
    const credential = await waitFor('the credential stored', async () =>
      existsSync(join(home, 'state', 'credential'))
        ? readFileSync(join(home, 'state', 'credential'), 'utf8').trim() || undefined
        : undefined,
    );

    const r = await c.api.call<Answer>('POST', '/api/diagnostics', { agentIds: [AGENT, 'no-such-agent'] });
    expect(r.status).toBe(201);
    expect(r.body.refused).toEqual([{ agentId: 'no-such-agent', reason: 'no such agent' }]);
    expect(r.body.requested).toEqual([expect.objectContaining({ agentId: AGENT, state: 'requested' })]);
    const id = r.body.requested[0]!.id;

    const done = await settled(id, AGENT);
    expect(done).toMatchObject({ state: 'received', reason: null });
    await agent.waitForOutput(new RegExp(`diagnostics bundle ${id} sent`), 5000);

    const download = await c.api.download(`/api/diagnostics/${id}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="diagnostics-${AGENT}-\\d{8}T\\d{6}Z\\.zip"$`),
    );
    expect(download.bytes.length).toBe(done.sizeBytes);
    expect(createHash('sha256').update(download.bytes).digest('hex')).toBe(done.sha256);

    const files = await readBundleFiles(download.bytes);
    expect([...files.keys()].sort()).toEqual(
      [
        'agent.conf',
        'agent.local.conf',
        'agent.log',
        'manifest.json',
        'status.json',
        'truststore.json',
      ].sort(),
    );
    const text = (name: string) => files.get(name)!.toString('utf8');
    // The log tail: what the agent logged since it started, up to the request itself.
    expect(text('agent.log')).toMatch(/connected via wss to localhost:\d+/);
    expect(text('agent.log')).toContain(`central asked for a diagnostics bundle (${id}`);
    expect(JSON.parse(text('status.json'))).toMatchObject({ state: 'connected', transport: 'secure' });
    // agent.conf: settings kept, secrets replaced, by key and by pattern (jvm args, the comment).
    expect(text('agent.conf')).toContain('central.host=localhost');
    expect(text('agent.conf')).toContain('site.api.token=[redacted]');
    expect(text('agent.conf')).toContain('-Djavax.net.ssl.trustStorePassword\\=[redacted]');
    expect(text('agent.local.conf')).toContain('agent.group=north');
    expect(text('agent.local.conf')).toContain('local.db.password=[redacted]');
    // Fingerprints: the SHA-256 of the truststore's one anchor, central's certificate.
    const truststore = JSON.parse(text('truststore.json')) as {
      path: string;
      anchors: Array<{ sha256: string; subject: string }>;
      fileSha256: string;
    };
    expect(truststore.anchors).toEqual([
      {
        sha256: createHash('sha256').update(serverCa.raw).digest('hex'),
        subject: serverCa.subject.replace(/\n/g, ', '),
      },
    ]);
    expect(truststore.fileSha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(home, 'conf', 'security', 'truststore.jks')))
        .digest('hex'),
    );
    const manifest = JSON.parse(text('manifest.json')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      format: 1,
      requestId: id,
      agentId: AGENT,
      nodeVersion: process.version,
      platform: process.platform,
      redactedKeys: {
        'agent.conf': expect.arrayContaining(['jetty.jvm.args', 'site.api.token']),
        'agent.local.conf': expect.arrayContaining(['local.db.password', 'agent.local.api.password.hash']),
      },
    });
    // No planted secret, and not the agent's credential, in any file of the bundle.
    for (const [name, bytes] of files) {
      for (const secret of [...Object.values(PLANTED), credential, 'PlantedHash9c0d'])
        expect({ name, leaked: bytes.toString('utf8').includes(secret) }).toEqual({ name, leaked: false });
    }

    const requested = (await audit('diagnostics requested')).filter((e) => e.target === '2 agents');
    expect(requested[0]).toMatchObject({ actor: 'admin', outcome: 'success' });
    // Audited right after the bundle is stored: it may trail the list by a moment.
    const received = await waitFor('the arrival audited', async () =>
      (await audit('diagnostics received')).find((e) => e.details.requestId === id),
    );
    expect(received).toMatchObject({ actor: `agent:${AGENT}`, outcome: 'success', target: AGENT });
  }, 90_000);

  /** A hand-driven agent enrolled with the token; `capabilities` as its hello says. */
  const rawAgent = async (
    agentId: string,
    capabilities = ['wss', 'diagnostics'],
    groups: string[] = [],
  ): Promise<RawAgent> => {
    const raw = new RawAgent({ url: `ws://127.0.0.1:${c.ports.plain}/agent`, agentId, secret: token });
    raws.push(raw);
    await raw.opened;
    raw.hello('plain', { capabilities, groups });
    await raw.welcome();
    return raw;
  };
  /** Asks for a bundle of `agentId` and waits for the request frame on its raw connection. */
  const requestOf = async (raw: RawAgent, timeoutSeconds?: number): Promise<string> => {
    const answer = await c.api.ok<Answer>('POST', '/api/diagnostics', {
      agentIds: [raw.options.agentId],
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
    });
    expect(answer.refused).toEqual([]);
    const id = answer.requested[0]!.id;
    const frame = await waitFor('the diagnostics.request frame', async () =>
      raw.frames.find((f) => f.type === 'diagnostics.request' && f.requestId === id),
    );
    expect(frame).toEqual({ type: 'diagnostics.request', requestId: id, maxBytes: 1024 * 1024 });
    return id;
  };
  const expectNothingStored = async (id: string, agentId: string, reason: RegExp) => {
    const bundle = await settled(id, agentId);
    expect(bundle).toMatchObject({ state: 'failed', sizeBytes: null, sha256: null });
    expect(bundle.reason).toMatch(reason);
    const download = await c.api.call<{ message: string }>('GET', `/api/diagnostics/${id}/download`);
    expect(download.status).toBe(409);
    expect(download.body.message).toBe(`diagnostics request ${id} failed: ${bundle.reason}`);
    const audited = await waitFor('the failure audited', async () =>
      (await audit('diagnostics failed')).find((e) => e.details.requestId === id),
    );
    expect(audited).toMatchObject({ target: agentId, details: { reason: bundle.reason } });
  };

  it('refuses an oversize bundle, a bad checksum and a bundle that is not one, storing nothing', async () => {
    const big = await rawAgent('diag-oversize');
    const bigId = await requestOf(big);
    const chunk = Buffer.alloc(DIAGNOSTICS_CHUNK_BYTES, 7).toString('base64');
    for (let offset = 0; offset <= 1024 * 1024; offset += DIAGNOSTICS_CHUNK_BYTES)
      big.send({ type: 'diagnostics.chunk', requestId: bigId, offset, data: chunk });
    await expectNothingStored(bigId, 'diag-oversize', /exceeds the 1048576-byte limit/);

    const bad = await rawAgent('diag-checksum');
    const badId = await requestOf(bad);
    bad.send({
      type: 'diagnostics.chunk',
      requestId: badId,
      offset: 0,
      data: Buffer.from('hello').toString('base64'),
    });
    bad.send({ type: 'diagnostics.result', requestId: badId, sizeBytes: 5, sha256: 'a'.repeat(64) });
    await expectNothingStored(badId, 'diag-checksum', /^checksum mismatch: the agent said sha256 a{64}/);

    const junk = await rawAgent('diag-not-zip');
    const junkId = await requestOf(junk);
    const bytes = Buffer.from('this is not a zip file');
    junk.send({ type: 'diagnostics.chunk', requestId: junkId, offset: 0, data: bytes.toString('base64') });
    junk.send({
      type: 'diagnostics.result',
      requestId: junkId,
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    await expectNothingStored(junkId, 'diag-not-zip', /^the bundle is not a valid diagnostics zip/);
    // The sessions stay up: a refused bundle is not a reason to drop the agent.
    expect([big, bad, junk].map((r) => r.socket.readyState)).toEqual([1, 1, 1]);
  }, 60_000);

  it("refuses an unknown request id and another agent's request, leaving that request untouched", async () => {
    const owner = await rawAgent('diag-owner');
    const intruder = await rawAgent('diag-intruder');
    const id = await requestOf(owner);
    const data = Buffer.from('stolen').toString('base64');
    intruder.send({ type: 'diagnostics.chunk', requestId: id, offset: 0, data });
    intruder.send({ type: 'diagnostics.result', requestId: id, sizeBytes: 6, sha256: 'b'.repeat(64) });
    const unknown = randomUUID();
    intruder.send({ type: 'diagnostics.chunk', requestId: unknown, offset: 0, data });
    const refusals = await waitFor('the refusals audited', async () => {
      const entries = (await audit('diagnostics upload refused')).filter((e) => e.target === 'diag-intruder');
      return entries.length >= 3 ? entries : undefined;
    });
    expect(refusals.map((e) => e.details.reason)).toEqual(
      expect.arrayContaining([
        `request ${id} was sent to agent diag-owner, not to diag-intruder`,
        `unknown diagnostics request ${unknown}`,
      ]),
    );
    expect(await list('diag-intruder')).toEqual([]);
    // The owner's request still waits; the owner then reports it cannot send one.
    expect((await list('diag-owner')).map((b) => b.state)).toEqual(['requested']);
    owner.send({ type: 'diagnostics.result', requestId: id, error: 'disk full' });
    await expectNothingStored(id, 'diag-owner', /^the agent could not send the bundle: disk full$/);
  }, 60_000);

  it('refuses offline agents and agents without the capability, and fails a request that times out', async () => {
    const old = await rawAgent('diag-old-version', ['wss']);
    const gone = await rawAgent('diag-gone');
    gone.send({ type: 'goodbye', reason: 'test' });
    await gone.closed;
    await waitFor('diag-gone offline', async () => {
      const r = await c.api.ok<{ status: string }>('GET', '/api/agents/diag-gone');
      return r.status === 'offline';
    });
    const answer = await c.api.ok<Answer>('POST', '/api/diagnostics', {
      agentIds: [old.options.agentId, 'diag-gone'],
    });
    expect(answer.requested).toEqual([]);
    expect(answer.refused).toEqual([
      {
        agentId: 'diag-gone',
        reason: expect.stringMatching(/^the agent is offline: bundles are asked of online agents only/),
      },
      { agentId: 'diag-old-version', reason: expect.stringMatching(/cannot send diagnostics/) },
    ]);

    const silent = await rawAgent('diag-silent');
    const id = await requestOf(silent, 5);
    // A second request while one is under way is refused, naming the one under way.
    const again = await c.api.ok<Answer>('POST', '/api/diagnostics', { agentIds: ['diag-silent'] });
    expect(again.refused).toEqual([
      { agentId: 'diag-silent', reason: `a bundle is being collected already (request ${id})` },
    ]);
    await expectNothingStored(id, 'diag-silent', /^no bundle within 5 s/);

    const bad = await c.api.call<{ message: string }>('POST', '/api/diagnostics', {
      agentIds: [],
      group: 'x',
    });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('asks every agent of a group, refusing those that cannot answer', async () => {
    const east = await rawAgent('diag-east-1', ['wss', 'diagnostics'], ['diag-east']);
    await rawAgent('diag-east-old', ['wss'], ['diag-east']);
    await rawAgent('diag-west-1', ['wss', 'diagnostics'], ['diag-west']);
    const answer = await c.api.ok<Answer>('POST', '/api/diagnostics', { group: 'diag-east' });
    expect(answer.requested.map((b) => b.agentId)).toEqual(['diag-east-1']);
    expect(answer.refused).toEqual([
      { agentId: 'diag-east-old', reason: expect.stringMatching(/cannot send diagnostics/) },
    ]);
    const id = answer.requested[0]!.id;
    await waitFor('the request on diag-east-1', async () =>
      east.frames.some((f) => f.type === 'diagnostics.request' && f.requestId === id),
    );
    east.send({ type: 'diagnostics.result', requestId: id, error: 'not today' });
    await expectNothingStored(id, 'diag-east-1', /^the agent could not send the bundle: not today$/);
  }, 30_000);

  it('keeps the newest 5 bundles per agent and none older than 7 days', async () => {
    await rawAgent('diag-retention');
    const ds = createDataSource(db.url);
    await ds.initialize();
    try {
      const repo = new DiagnosticsRepository(ds);
      const ids = Array.from({ length: 8 }, () => randomUUID());
      await ds.query(
        `INSERT INTO diagnostic_bundles (id, agent_id, state, requested_by, requested_at, deadline_at, max_bytes, content, size_bytes, sha256)
         SELECT x.id, 'diag-retention', 'received', 'test', now() - make_interval(mins => x.n::int), now(), 1024, '\\x00', 1, 'x'
           FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)`,
        [ids],
      );
      // The oldest of them is 8 days old: gone whatever the count.
      await ds.query(`UPDATE diagnostic_bundles SET requested_at = now() - interval '8 days' WHERE id = $1`, [
        ids[0],
      ]);
      expect(await repo.prune('diag-retention')).toBe(3);
      // ids[n] was asked n+1 minutes ago; ids[0] is now the oldest (age), ids[6] and ids[7] beyond the newest 5.
      expect((await list('diag-retention')).map((b) => b.id)).toEqual(ids.slice(1, 6));
    } finally {
      await ds.destroy();
    }
  });

  it('is for operators and admins only: a viewer may not list or download bundles', async () => {
    await c.api.ok('POST', '/api/users', { username: 'vic', role: 'viewer', password: 'vic-password-12345' });
    const viewer = new ApiClient(c.api.baseUrl);
    await viewer.login('vic', 'vic-password-12345');
    expect((await viewer.call('GET', '/api/diagnostics')).status).toBe(403);
    expect((await viewer.call('POST', '/api/diagnostics', { agentIds: [AGENT] })).status).toBe(403);
  });
});
