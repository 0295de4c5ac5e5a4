import { execFile } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { makeServerChain, type ServerChainFixture } from '../support/openssl-fixtures.js';
import { waitFor } from '../support/ports.js';
import { REPO_ROOT } from '../support/processes.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';
import { presentedCertificate } from '../support/tls-probe.js';

const run = promisify(execFile);
const CERTMGR = join(REPO_ROOT, 'dist', 'apps', 'central', 'src', 'certmgr', 'main.js');

interface Anchor {
  sha256: string;
  subject: string;
}
interface Stranded {
  id: string;
  reason: string;
}
interface Refusal {
  error: string;
  code: string;
  message: string;
  agents: Stranded[];
}

const anchorOf = (pem: string): Anchor => {
  const c = new X509Certificate(pem);
  return {
    sha256: createHash('sha256').update(c.raw).digest('hex'),
    subject: c.subject.replace(/\n/g, ', '),
  };
};

describe('guarded server-certificate changes: trust anchors reported, 409 naming agents, previous certificate (real PostgreSQL, real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let temp: string;
  let next: ServerChainFixture;
  let original: { serial: string; pem: string };
  const agents: RawAgent[] = [];

  const servedSerial = async () => (await presentedCertificate(c.ports.secure)).serialNumber;
  const activeFingerprint = async () =>
    (await c.api.ok<{ fingerprintSha256: string }>('GET', '/api/certificates/server')).fingerprintSha256;
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
  const importNext = (fields: Record<string, string> = {}) =>
    c.api.upload<Refusal & { certificate: { serialNumber: string }; warnings: string[] }>(
      '/api/certificates/server/import',
      [
        { name: 'server.crt', bytes: Buffer.from(next.leafPem) },
        { name: 'server.key', bytes: Buffer.from(next.leafKeyPem) },
        { name: 'ca.crt', bytes: Buffer.from(next.rootPem) },
      ],
      fields,
    );
  /** Nothing changed: the stored active certificate and the one a real handshake sees. */
  const expectUnchanged = async (fingerprint: string, serial: string) => {
    expect(await activeFingerprint()).toBe(fingerprint);
    expect(await servedSerial()).toBe(serial);
  };

  beforeAll(async () => {
    temp = makeTempDir('sy-guard-');
    next = makeServerChain(temp, ['localhost', '127.0.0.1'], 'next');
    db = await createTestDatabase();
    c = await startTestCentral(db.url, {
      env: { SWITCHYARD_AGENT_HOSTS: 'localhost', SWITCHYARD_CERTS_POLL_SECONDS: '1' },
    });
    await c.api.ok('PUT', '/api/settings/websocket', {
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: c.ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
    const pem = await c.api.ok<string>('GET', '/api/certificates/server/chain');
    original = { pem, serial: new X509Certificate(pem).serialNumber };
    const token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
    const url = `wss://127.0.0.1:${c.ports.secure}/agent`;
    const connect = async (agentId: string, extra: Record<string, unknown>) => {
      const agent = new RawAgent({ url, agentId, secret: token, ca: original.pem });
      agents.push(agent);
      await agent.opened;
      agent.hello('secure', extra);
      await agent.welcome();
      return agent;
    };
    // Trusts central's self-signed certificate and, after a trust.report, the next CA too.
    const widening = await connect('trust-widening', {
      agentVersion: '0.2.0',
      trustAnchors: [anchorOf(original.pem)],
    });
    await connect('trust-old-only', { agentVersion: '0.2.0', trustAnchors: [anchorOf(original.pem)] });
    await connect('trust-silent', {});
    widening.send({ type: 'trust.report', trustAnchors: [anchorOf(original.pem), anchorOf(next.rootPem)] });
  });
  afterAll(async () => {
    agents.forEach((a) => a.socket.close());
    await c?.stop();
    await db?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('stores what each agent trusts and shows it in GET /api/agents/:id (unknown: null)', async () => {
    const widening = await waitFor('the trust.report stored', async () => {
      const a = await c.api.ok<{ trustAnchors: Anchor[] | null }>('GET', '/api/agents/trust-widening');
      return a.trustAnchors?.length === 2 ? a : undefined;
    });
    expect(widening.trustAnchors!.map((a) => a.sha256).sort()).toEqual(
      [anchorOf(original.pem).sha256, anchorOf(next.rootPem).sha256].sort(),
    );
    const oldOnly = await c.api.ok<{ trustAnchors: Anchor[] | null }>('GET', '/api/agents/trust-old-only');
    expect(oldOnly.trustAnchors).toEqual([anchorOf(original.pem)]);
    expect(
      (await c.api.ok<{ trustAnchors: null }>('GET', '/api/agents/trust-silent')).trustAnchors,
    ).toBeNull();
    const listed = await c.api.ok<Array<{ id: string; trustAnchors: Anchor[] | null }>>('GET', '/api/agents');
    expect(listed.find((a) => a.id === 'trust-old-only')?.trustAnchors).toEqual([anchorOf(original.pem)]);
  });

  it('API import: 409 would_strand_agents naming each agent and why; nothing changes', async () => {
    const before = await activeFingerprint();
    const r = await importNext();
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('would_strand_agents');
    expect(r.body.code).toBe('certificate_would_strand_agents');
    expect(r.body.agents.map((a) => a.id)).toEqual(['trust-old-only', 'trust-silent']);
    expect(r.body.agents[0]!.reason).toMatch(/^trusts only CN=/);
    expect(r.body.agents[1]!.reason).toMatch(/^has not reported its trust anchors/);
    expect(r.body.message).toMatch(/Nothing was changed/);
    await expectUnchanged(before, original.serial);
  });

  it('restore self-signed: refused the same way (a new key is a new anchor)', async () => {
    const before = await activeFingerprint();
    const r = await c.api.call<Refusal>('POST', '/api/certificates/server/self-signed', {});
    expect(r.status).toBe(409);
    expect(r.body.agents.map((a) => a.id)).toEqual(['trust-old-only', 'trust-silent', 'trust-widening']);
    await expectUnchanged(before, original.serial);
  });

  it('certmgr: exit 1 naming the agents, nothing changed', async () => {
    const before = await activeFingerprint();
    const r = await certmgr(['-cert', next.leafPath, '-key', next.keyPath, '-chain', next.rootPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused, nothing changed: 2 known agent\(s\) would not trust/);
    expect(r.stderr).toContain('trust-old-only (trusts only CN=');
    expect(r.stderr).toContain('trust-silent (has not reported its trust anchors');
    await expectUnchanged(before, original.serial);
  });

  it('drop-in folder: the file moves to certs/failed/<time>/ with the agents in reason.txt', async () => {
    const before = await activeFingerprint();
    const folder = join(c.dataDir, 'certs');
    writeFileSync(join(folder, 'server.pfx'), next.pkcs12('drop-pw', 'guard.pfx').bytes);
    writeFileSync(join(folder, 'password'), 'drop-pw\n');
    const failed = await waitFor(
      'the drop set aside',
      async () => (existsSync(join(folder, 'failed')) ? readdirSync(join(folder, 'failed'))[0] : undefined),
      15_000,
    );
    const reason = readFileSync(join(folder, 'failed', failed, 'reason.txt'), 'utf8');
    expect(reason).toMatch(/would not trust the new certificate chain/);
    expect(reason).toMatch(/^ {2}trust-old-only: trusts only CN=/m);
    expect(reason).toMatch(/^ {2}trust-silent: has not reported/m);
    expect(readdirSync(join(folder, 'failed', failed)).sort()).toEqual([
      'password',
      'reason.txt',
      'server.pfx',
    ]);
    await expectUnchanged(before, original.serial);
  });

  it('force: true goes past them, with a warning naming them; the new certificate is served', async () => {
    const r = await importNext({ force: 'true' });
    expect(r.status).toBe(200);
    expect(r.body.warnings.join(' ')).toMatch(/forced: 2 agent\(s\) will not trust this certificate/);
    const serial = new X509Certificate(next.leafPem).serialNumber;
    await waitFor('the forced certificate served', async () => (await servedSerial()) === serial, 10_000);
  });

  it('the previous certificate is kept: restore it (guarded), then back again', async () => {
    const nextSerial = new X509Certificate(next.leafPem).serialNumber;
    const previous = await c.api.ok<{ serialNumber: string }>('GET', '/api/certificates/server/previous');
    expect(previous.serialNumber).toBe(original.serial);
    // trust-silent is now assumed to trust only the next CA: going back would strand it.
    const before = await activeFingerprint();
    const refused = await c.api.call<Refusal>('POST', '/api/certificates/server/previous', {});
    expect(refused.status).toBe(409);
    expect(refused.body.agents.map((a) => [a.id, a.reason])).toEqual([
      ['trust-silent', expect.stringMatching(/assumed to trust only CN=next test root/)],
    ]);
    await expectUnchanged(before, nextSerial);

    const restored = await c.api.ok<{ serialNumber: string; warnings: string[] }>(
      'POST',
      '/api/certificates/server/previous',
      { force: true },
    );
    expect(restored.serialNumber).toBe(original.serial);
    expect(restored.warnings.join(' ')).toMatch(/trust-silent/);
    await waitFor(
      'the original served again',
      async () => (await servedSerial()) === original.serial,
      10_000,
    );

    // certmgr -previous goes back to the next certificate (trust-old-only would not trust it: -force).
    expect((await certmgr(['-previous'])).code).toBe(1);
    const back = await certmgr(['-previous', '-force']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/Warning: forced: /);
    await waitFor(
      'the next certificate served again',
      async () => (await servedSerial()) === nextSerial,
      10_000,
    );
  }, 120_000); // three certmgr runs: several seconds each on a loaded machine
});
