// The staged rotation's API and certmgr against a real central, PostgreSQL and TLS handshakes: input
// validation, one rotation at a time, abort before activation (the staged key is discarded, nothing
// was served), abort after activation (the previous certificate is served again, a revision without
// the new anchor is published), the revisions' truststores, certmgr -rotate-* and the audit trail.
// One raw agent on wss reports its trust anchors by hand (trust.report); test/e2e/certificate-rotation.spec.ts
// runs the whole journey with real agents.
import { execFile } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { makeServerChain, type ServerChainFixture } from '../support/openssl-fixtures.js';
import { REPO_ROOT } from '../support/processes.js';
import { RawAgent } from '../support/raw-agent.js';
import { waitFor } from '../support/ports.js';
import { presentedCertificate } from '../support/tls-probe.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const CERTMGR = join(REPO_ROOT, 'dist', 'apps', 'central', 'src', 'certmgr', 'main.js');

interface Rotation {
  id: string;
  phase: string;
  next: string | null;
  keyDiscarded: boolean;
  certificate: { fingerprintSha256: string; anchor: { sha256: string } };
  fromAnchor: { sha256: string };
  steps: Array<{
    id: string;
    state: string;
    rollouts?: Array<{ profile: string; revision: number; rolloutId: string }>;
  }>;
  gate?: { total: number; trusting: number; strandedCount: number; ok: boolean };
  history: Array<{ step: string; from: string | null; to: string; actor: string; reason: string }>;
}
interface Revision {
  truststore: Array<{ alias: string; fingerprintSha256: string }>;
}

const anchorOf = (pem: string) => {
  const c = new X509Certificate(pem);
  return {
    sha256: createHash('sha256').update(c.raw).digest('hex'),
    subject: c.subject.replace(/\n/g, ', '),
  };
};
const colonHex = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');

describe('staged certificate rotation: API, abort at each step, certmgr (real central, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let temp: string;
  let chains: ServerChainFixture[];
  let sql: DataSource;
  let agent: RawAgent;
  let original: string;
  /** The raw agent says what it trusts now, and the gate sees it. */
  const reportTrust = async (rotationId: string, pems: string[], ok: boolean) => {
    agent.send({
      type: 'trust.report',
      trustAnchors: pems.map(anchorOf).sort((a, b) => a.sha256.localeCompare(b.sha256)),
    });
    await waitFor(
      'the gate sees the report',
      async () =>
        (await c.api.ok<Rotation>('GET', `/api/certificates/rotations/${rotationId}`)).gate?.ok === ok,
    );
  };

  const served = async () => (await presentedCertificate(c.ports.secure)).fingerprint256;
  const stage = (chain: ServerChainFixture, fields: Record<string, string> = { reason: 'own CA' }) =>
    c.api.upload<Rotation & { error: string; message: string }>(
      '/api/certificates/rotations',
      [
        { name: 'server.crt', bytes: Buffer.from(chain.leafPem) },
        { name: 'server.key', bytes: Buffer.from(chain.leafKeyPem) },
        { name: 'ca.crt', bytes: Buffer.from(chain.rootPem) },
      ],
      fields,
    );
  const post = (path: string, body: unknown) =>
    c.api.call<Rotation & { error: string; message: string }>('POST', path, body);
  const certmgr = (args: string[]) =>
    run(process.execPath, [CERTMGR, ...args], {
      env: { ...process.env, DATABASE_URL: db.url, SWITCHYARD_DATA_DIR: c.dataDir },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );
  const revision = (r: number) => c.api.ok<Revision>('GET', `/api/profiles/default/revisions/${r}`);

  beforeAll(async () => {
    temp = makeTempDir('sy-rotation-');
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
    chains = ['ca-a', 'ca-b', 'ca-c'].map((name) => makeServerChain(temp, ['localhost', '127.0.0.1'], name));
    sql = new DataSource({ type: 'postgres', url: db.url });
    await sql.initialize();
    // One agent on wss that trusts the self-signed certificate central made at its first start.
    original = await c.api.ok<string>('GET', '/api/certificates/server/chain');
    const token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
    agent = new RawAgent({
      url: `wss://127.0.0.1:${c.ports.secure}/agent`,
      agentId: 'raw-1',
      secret: token,
      ca: original,
    });
    await agent.opened;
    agent.hello('secure', { agentVersion: '0.2.0', trustAnchors: [anchorOf(original)] });
    await agent.welcome();
  });
  afterAll(async () => {
    agent?.socket.close();
    await sql?.destroy();
    await c?.stop();
    await db?.drop();
  });

  it('validates the upload and the bodies, naming what is wrong', async () => {
    const noReason = await stage(chains[0]!, {});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toMatch(/reason/);
    const noFiles = await c.api.upload<{ message: string }>('/api/certificates/rotations', [], {
      reason: 'x',
    });
    expect(noFiles.status).toBe(400);
    expect(noFiles.body.message).toMatch(/no file was uploaded/);
    const notAnId = await post('/api/certificates/rotations/nope/advance', { reason: 'x' });
    expect(notAnId.status).toBe(400);
    const unknown = await post('/api/certificates/rotations/00000000-0000-4000-8000-000000000000/abort', {
      reason: 'x',
    });
    expect(unknown.status).toBe(404);
    expect((await c.api.call('GET', '/api/certificates/rotations/current')).status).toBe(404);
    expect(await sql.query('SELECT count(*)::int AS n FROM certificate_rotations')).toEqual([{ n: 0 }]);
  });

  it('abort before activation discards the staged certificate; nothing was ever served', async () => {
    const before = await served();
    const staged = await stage(chains[0]!);
    expect(staged.status).toBe(201);
    expect(staged.body).toMatchObject({ phase: 'staged', next: 'trust_published', keyDiscarded: false });
    expect(staged.body.gate).toMatchObject({ total: 1, trusting: 0, strandedCount: 1, ok: false });
    expect(JSON.stringify(staged.body.gate)).toMatch(/raw-1.*trusts only CN=localhost/);
    expect(staged.body.certificate.anchor.sha256).toBe(
      new X509Certificate(chains[0]!.rootPem).fingerprint256.replace(/:/g, '').toLowerCase(),
    );
    expect(await served()).toBe(before);
    // One rotation at a time.
    const second = await stage(chains[1]!);
    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/one rotation at a time/);
    // The key is sealed at rest, never the PEM.
    const [row] = (await sql.query('SELECT key_encrypted FROM certificate_rotations WHERE id = $1', [
      staged.body.id,
    ])) as Array<{ key_encrypted: string }>;
    expect(row!.key_encrypted).not.toMatch(/PRIVATE KEY/);

    const aborted = await post(`/api/certificates/rotations/${staged.body.id}/abort`, { reason: 'wrong CA' });
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({ phase: 'aborted', next: null, keyDiscarded: true });
    expect(aborted.body.steps.map((s) => s.state)).toEqual([
      'done',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(
      await sql.query('SELECT key_encrypted FROM certificate_rotations WHERE id = $1', [staged.body.id]),
    ).toEqual([{ key_encrypted: null }]);
    expect(await served()).toBe(before);
    const again = await post(`/api/certificates/rotations/${staged.body.id}/advance`, { reason: 'x' });
    expect(again.status).toBe(409);
  });

  it('publishes both anchors, activates, and goes back (previous certificate, revision without the new anchor)', async () => {
    const before = await served();
    const staged = await stage(chains[1]!);
    const id = staged.body.id;
    const oldAnchor = colonHex(staged.body.fromAnchor.sha256);
    const newAnchor = colonHex(staged.body.certificate.anchor.sha256);

    const published = await post(`/api/certificates/rotations/${id}/advance`, {
      reason: 'trust both',
      waves: { percentages: [100] },
    });
    expect(published.body).toMatchObject({ phase: 'trust_published' });
    expect(published.status).toBe(200);
    expect(published.body.phase).toBe('trust_published');
    const [trust] = published.body.steps.find((s) => s.id === 'trust')!.rollouts!;
    expect(trust!.profile).toBe('default');
    const dual = await revision(trust!.revision);
    expect(dual.truststore.map((t) => t.fingerprintSha256).sort()).toEqual([newAnchor, oldAnchor].sort());
    expect(dual.truststore.find((t) => t.fingerprintSha256 === newAnchor)!.alias).toBe('switchyard-rotation');
    expect(await served()).toBe(before);

    // The gate: refused while the agent trusts only the old anchor, naming it; open once it reports both.
    const early = await post(`/api/certificates/rotations/${id}/advance`, { reason: 'too early' });
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('would_strand_agents');
    expect(early.body.message).toMatch(/raw-1/);
    await reportTrust(id, [original, chains[1]!.rootPem], true);
    const activated = await post(`/api/certificates/rotations/${id}/advance`, { reason: 'gate open' });
    expect(activated.status).toBe(200);
    expect(activated.body.phase).toBe('activated');
    const leaf = new X509Certificate(chains[1]!.leafPem).fingerprint256;
    await waitFor('the new certificate served', async () => (await served()) === leaf);
    // The previous certificate is the one the rotation started from.
    expect(
      (await c.api.ok<{ fingerprintSha256: string }>('GET', '/api/certificates/server/previous'))
        .fingerprintSha256,
    ).toBe(before);

    // Going back: the previous certificate again (guarded, passes), and a revision trusting only the old anchor.
    const aborted = await post(`/api/certificates/rotations/${id}/abort`, {
      reason: 'a branch is not ready',
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body.phase).toBe('aborted');
    await waitFor('the old certificate served again', async () => (await served()) === before);
    const [revert] = aborted.body.steps.find((s) => s.id === 'cleanup')!.rollouts!;
    const reverted = await revision(revert!.revision);
    expect(reverted.truststore.map((t) => t.fingerprintSha256)).toEqual([oldAnchor]);
    expect(aborted.body.history.map((h) => `${h.step}:${h.to}`)).toEqual([
      'stage:staged',
      'advance:trust_published',
      'advance:activated',
      'abort:aborted',
    ]);
  });

  it('certmgr: stage, status, refuses to publish without central, activates, completes without clean-up', async () => {
    const before = await served();
    const chain = chains[2]!;
    const staged = await certmgr([
      '-rotate-stage',
      '-cert',
      chain.leafPath,
      '-key',
      chain.keyPath,
      '-chain',
      chain.rootPath,
      '-reason',
      'own CA (certmgr)',
    ]);
    expect(staged.code).toBe(0);
    expect(staged.stdout).toMatch(/\[x\] 1 stage the new certificate/);
    expect(staged.stdout).toMatch(/\[>\] 2 trust both anchors/);
    const view = await c.api.ok<Rotation>('GET', '/api/certificates/rotations/current');
    expect(view.phase).toBe('staged');

    // Publishing needs central's rollouts service: refused, nothing changed.
    const publish = await certmgr(['-rotate-advance', '-reason', 'trust both']);
    expect(publish.code).toBe(1);
    expect(publish.stderr).toMatch(
      /certmgr cannot prepare and publish revisions.*POST \/api\/certificates\/rotations\/:id\/advance/,
    );
    expect((await c.api.ok<Rotation>('GET', `/api/certificates/rotations/${view.id}`)).phase).toBe('staged');

    // The API publishes; certmgr takes the gate and activates (central hears it through NOTIFY).
    expect(
      (await post(`/api/certificates/rotations/${view.id}/advance`, { reason: 'trust both' })).status,
    ).toBe(200);
    await reportTrust(view.id, [original, chain.rootPem], true);
    const activated = await certmgr(['-rotate-advance', '-reason', 'gate open']);
    expect(activated.code).toBe(0);
    expect(activated.stdout).toMatch(/\(activated, next: completed\)/);
    const leaf = new X509Certificate(chain.leafPem).fingerprint256;
    await waitFor('the new certificate served after certmgr', async () => (await served()) === leaf);
    expect(leaf).not.toBe(before);
    const completed = await certmgr([
      '-rotate-advance',
      '-reason',
      'keep both anchors for now',
      '-no-cleanup',
    ]);
    expect(completed.code).toBe(0);
    expect(completed.stdout).toMatch(/\[-\] 5 clean-up/);

    const audit = await c.api.ok<Array<{ action: string; actor: string; outcome: string }>>(
      'GET',
      '/api/audit?limit=100&search=rotation',
    );
    const actions = audit.map((a) => `${a.action}/${a.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'certificate rotation stage/success',
        'certificate rotation stage/refused',
        'certificate rotation advance/success',
        'certificate rotation advance/refused',
        'certificate rotation abort/success',
      ]),
    );
    expect(audit.some((a) => a.actor.startsWith('certmgr ('))).toBe(true);
  }, 150_000);
});
