// Issue 14 point 5 with a real agent process: the server certificate changes under a connected agent
// (forced past the guard, which names it first); a rollout then reaches it. The archive download over
// a new https handshake fails (the agent does not trust the new certificate yet), the agent fetches the
// archive over its established session instead, and the revision it applies trusts the new CA.
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { makeServerChain } from '../support/openssl-fixtures.js';
import { waitFor } from '../support/ports.js';
import { type RunningProcess, startTestAgent } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';
import { presentedCertificate } from '../support/tls-probe.js';

const AGENT = 'fetch-after-change';

interface AgentRow {
  status: string;
  transport: string | null;
  profileSha256: string | null;
  trustAnchors: Array<{ sha256: string; subject: string }> | null;
}

describe('a connected agent fetches what its session offers after a certificate change (real agent, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let agent: RunningProcess | undefined;
  let temp: string;

  beforeAll(async () => {
    temp = makeTempDir('sy-fetch-');
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
  });
  afterAll(async () => {
    await agent?.stop();
    await c?.stop();
    await db?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('downloads over the session when a new handshake would fail, and applies the revision', async () => {
    // The agent starts on wss, trusting central's self-signed certificate only.
    const selfSigned = new X509Certificate(await c.api.ok<string>('GET', '/api/certificates/server/chain'));
    const home = join(temp, 'agent');
    mkdirSync(join(home, 'conf', 'security'), { recursive: true });
    writeFileSync(
      join(home, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central', der: selfSigned.raw }], 'changeit'),
    );
    writeFileSync(
      join(home, 'conf', 'agent.conf'),
      [
        'central.host=localhost',
        `central.websocket.port=${c.ports.plain}`,
        'central.websocket.secure=true',
        `central.websocket.secure.port=${c.ports.secure}`,
        `agent.id=${AGENT}`,
        '',
      ].join('\n'),
    );
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    agent = startTestAgent(home, { token, backoffMaxMs: 1000 });
    const online = await waitFor(
      'the agent online over wss with its trust anchor reported',
      async () => {
        const r = await c.api.call<AgentRow>('GET', `/api/agents/${AGENT}`);
        return r.status === 200 && r.body.status === 'online' && r.body.trustAnchors?.length === 1
          ? r.body
          : undefined;
      },
      30_000,
    );
    expect(online.transport).toBe('secure');
    expect(online.trustAnchors).toEqual([
      {
        sha256: createHash('sha256').update(selfSigned.raw).digest('hex'),
        subject: selfSigned.subject.replace(/\n/g, ', '),
      },
    ]);

    // A certificate from a new CA: refused naming the agent, then forced. The session stays up.
    const next = makeServerChain(temp, ['localhost', '127.0.0.1'], 'next');
    const files = [
      { name: 'server.crt', bytes: Buffer.from(next.leafPem) },
      { name: 'server.key', bytes: Buffer.from(next.leafKeyPem) },
      { name: 'ca.crt', bytes: Buffer.from(next.rootPem) },
    ];
    const refused = await c.api.upload<{ error: string; agents: Array<{ id: string; reason: string }> }>(
      '/api/certificates/server/import',
      files,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.agents).toEqual([
      {
        id: AGENT,
        status: 'online',
        lastSeenAt: expect.any(String),
        reason: expect.stringMatching(/^trusts only CN=/),
      },
    ]);
    expect((await c.api.upload('/api/certificates/server/import', files, { force: 'true' })).status).toBe(
      200,
    );
    const nextSerial = new X509Certificate(next.leafPem).serialNumber;
    await waitFor(
      'the new certificate served',
      async () => (await presentedCertificate(c.ports.secure)).serialNumber === nextSerial,
    );

    // A revision prepared now trusts the new CA (the server anchor); the agent must fetch it first.
    await c.api.ok('POST', '/api/profiles/default/copy', { name: 'after-change' });
    const { draftVersion } = await c.api.ok<{ draftVersion: number }>('GET', '/api/profiles/after-change');
    await c.api.ok('PUT', '/api/profiles/after-change', {
      draftVersion,
      set: {
        'central.host': 'localhost',
        'central.websocket.port': String(c.ports.plain),
        'central.websocket.secure': 'true',
        'central.websocket.secure.port': String(c.ports.secure),
      },
    });
    const revision = await c.api.ok<{ revision: number; sha256: string }>(
      'POST',
      '/api/profiles/after-change/prepare',
    );
    const from = agent.output.length;
    const rollout = await c.api.ok<{ id: string }>('POST', '/api/rollouts', {
      profile: 'after-change',
      revision: revision.revision,
      targets: { agentIds: [AGENT] },
      mode: 'publish',
      stepTimeoutSeconds: 60,
    });
    await agent.waitForOutput(/fetching the archive over the session instead/, 30_000, from);
    const done = await waitFor(
      'the rollout completed',
      async () => {
        const r = await c.api.ok<{ state: string; agents: Array<{ state: string; reason: string | null }> }>(
          'GET',
          `/api/rollouts/${rollout.id}`,
        );
        if (r.state === 'halted' || r.agents.some((a) => a.state === 'failed'))
          throw new Error(`rollout ${r.state}: ${JSON.stringify(r.agents)}`);
        return r.state === 'completed' ? r : undefined;
      },
      60_000,
    );
    expect(done.agents.map((a) => a.state)).toEqual(['applied']);
    // It runs the revision, on wss, and now reports the new CA as its anchor.
    await waitFor('the agent on the new revision, trusting the new CA', async () => {
      const r = await c.api.ok<AgentRow>('GET', `/api/agents/${AGENT}`);
      return (
        r.status === 'online' &&
        r.transport === 'secure' &&
        r.profileSha256 === revision.sha256 &&
        r.trustAnchors?.some((a) => a.subject.includes('next test root')) === true
      );
    });
  }, 120_000);
});
