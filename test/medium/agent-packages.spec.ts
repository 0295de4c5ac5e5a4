// Agent packages for upgrades (issue 17 point 5, ADR 45) against real PostgreSQL: the upload checks
// (signature, manifest, sha256, platform, downgrade), storage, listing, central's counter-signature with
// the profile-signing key agents pin, and the audit records of refusals.
import { rmSync } from 'node:fs';
import { importPackagePublicKey, verifyPackageManifest } from '../../libs/agent-package/index.js';
import { importProfileSigningPublicKey, verifyManifestSignature } from '../../libs/profile-archive/index.js';
import { AgentPackagesRepository } from '../../apps/central/src/agent-packages/agent-packages.repository.js';
import {
  filesOf,
  packageKey,
  signPackage,
  tinyPackageArchive,
  trustPackageKey,
  type PackageKey,
} from '../support/agent-packages.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface PackageView {
  version: string;
  sha256: string;
  sizeBytes: number;
  platform: string;
  publisherKeyFingerprint: string;
  created?: boolean;
}
interface Refusal {
  code: string;
  message: string;
  issues?: Array<{ field: string; message: string }>;
}

describe('agent packages: upload, checks, storage (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let publisher: PackageKey;
  const upload = (files: Array<{ name: string; bytes: Buffer }>, fields: Record<string, string> = {}) =>
    c.api.upload<PackageView & Refusal>('/api/agent-packages', files, fields);

  const savedTick = process.env.SWITCHYARD_ROLLOUT_TICK_MS;
  beforeAll(async () => {
    process.env.SWITCHYARD_ROLLOUT_TICK_MS = '100';
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    publisher = packageKey();
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
    if (c) rmSync(c.dataDir, { recursive: true, force: true });
    if (savedTick === undefined) delete process.env.SWITCHYARD_ROLLOUT_TICK_MS;
    else process.env.SWITCHYARD_ROLLOUT_TICK_MS = savedTick;
  });

  it('refuses every upload while central trusts no publisher key, and says where to put one', async () => {
    const pkg = signPackage(tinyPackageArchive('1.0.0'), '1.0.0', publisher.privateKey);
    const r = await upload(pkg.files);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('central trusts no agent-package signing key');
    expect(r.body.message).toContain('agent-package-keys');
    trustPackageKey(c.dataDir, publisher);
  });

  it('stores a signed package, lists it, and counter-signs its manifest with the profile-signing key', async () => {
    const pkg = signPackage(tinyPackageArchive('1.0.0'), '1.0.0', publisher.privateKey);
    const r = await upload(pkg.files);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      version: '1.0.0',
      platform: 'node',
      created: true,
      sizeBytes: pkg.archive.length,
    });
    // The same upload again is no new package.
    expect((await upload(pkg.files)).body.created).toBe(false);
    const list = await c.api.ok<PackageView[]>('GET', '/api/agent-packages');
    expect(list.map((p) => p.version)).toEqual(['1.0.0']);
    expect(JSON.stringify(list)).not.toContain('archive');

    const repo = c.central.app.get(AgentPackagesRepository);
    const signed = await repo.signedManifest('1.0.0');
    const { publicKeyPem } = await c.api.ok<{ publicKeyPem: string }>('GET', '/api/profile-signing-key');
    expect(
      verifyManifestSignature(
        Buffer.from(signed!.manifest),
        signed!.centralSignature,
        importProfileSigningPublicKey(publicKeyPem),
      ),
    ).toBe(true);
    expect(
      verifyPackageManifest(Buffer.from(signed!.manifest), pkg.signature, [
        importPackagePublicKey(publisher.publicPem),
      ]),
    ).toBeDefined();
    const slice = await repo.archiveSlice(signed!.sha256, 10, 20);
    expect(slice).toEqual({ data: pkg.archive.subarray(10, 30), totalBytes: pkg.archive.length });
  });

  it('refuses a tampered archive, a wrong signature, another platform, a bad manifest, with the reason', async () => {
    const good = signPackage(tinyPackageArchive('1.1.0'), '1.1.0', publisher.privateKey);
    const tampered = Buffer.from(good.archive);
    tampered[tampered.length - 5] ^= 0xff;
    const cases: Array<[string, Array<{ name: string; bytes: Buffer }>, string, string]> = [
      [
        'tampered',
        filesOf(tampered, good.manifest, good.signature, '1.1.0').files,
        'package',
        'tampered with',
      ],
      [
        'wrong key',
        signPackage(good.archive, '1.1.0', packageKey().privateKey).files,
        'signature',
        'does not verify against the trusted key',
      ],
      [
        'manifest edited after signing',
        filesOf(
          good.archive,
          Buffer.from(good.manifest.toString().replace('"1.1.0"', '"1.1.1"')),
          good.signature,
          '1.1.0',
        ).files,
        'signature',
        'does not verify',
      ],
      [
        'other platform',
        signPackage(good.archive, '1.1.0', publisher.privateKey, { platform: 'win32-x64' }).files,
        'platform',
        'platform "win32-x64"',
      ],
      ['no signature', good.files.slice(0, 2), 'files', 'missing the signature'],
      [
        'not JSON',
        filesOf(good.archive, Buffer.from('{oops'), good.signature, '1.1.0').files,
        'manifest',
        'is not JSON',
      ],
    ];
    for (const [label, files, field, words] of cases) {
      const r = await upload(files);
      expect({ label, status: r.status }).toEqual({ label, status: 400 });
      expect({ label, issues: r.body.issues }).toEqual({
        label,
        issues: [expect.objectContaining({ field, message: expect.stringContaining(words) })],
      });
    }
    expect((await c.api.ok<PackageView[]>('GET', '/api/agent-packages')).map((p) => p.version)).toEqual([
      '1.0.0',
    ]);
    // Refusals are audited with their reason.
    const audit = await c.api.ok<Array<{ action: string; outcome: string; details: { reason?: string } }>>(
      'GET',
      '/api/audit?limit=50',
    );
    const refused = audit.filter((a) => a.action.includes('/api/agent-packages') && a.outcome === 'refused');
    expect(refused.map((a) => a.details.reason)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('tampered with'),
        expect.stringContaining('platform "win32-x64"'),
      ]),
    );
  });

  it('refuses a downgrade unless allowDowngrade, and another package under a taken version', async () => {
    const two = signPackage(tinyPackageArchive('2.0.0'), '2.0.0', publisher.privateKey);
    expect((await upload(two.files)).status).toBe(200);
    const older = signPackage(tinyPackageArchive('1.5.0'), '1.5.0', publisher.privateKey);
    const refused = await upload(older.files);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('older than 2.0.0');
    expect(refused.body.message).toContain('allowDowngrade=true');
    expect((await upload(older.files, { allowDowngrade: 'true' })).status).toBe(200);
    const other = signPackage(
      tinyPackageArchive('2.0.0', 'console.log(1);\n'),
      '2.0.0',
      publisher.privateKey,
    );
    const taken = await upload(other.files);
    expect(taken.status).toBe(409);
    expect(taken.body.message).toContain('uploaded already with other bytes');
  });

  it('"upgrade them": a rollout to the agents that cannot connect securely, delivered over their session', async () => {
    const url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const connect = async (agentId: string, capabilities: string[]) => {
      const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
      const agent = new RawAgent({ url, agentId, secret: token });
      await agent.opened;
      agent.hello('plain', { agentVersion: '1.0.0', capabilities });
      await agent.welcome();
      return agent;
    };
    const able = await connect('able-1', ['wss']);
    const old = await connect('old-1', []);
    try {
      expect(
        (await c.api.call('POST', '/api/agent-upgrades', { version: '9.9.9', targets: { all: true } }))
          .status,
      ).toBe(404);
      const created = await c.api.call<{
        id: string;
        kind: string;
        packageVersion: string;
        targets: unknown;
      }>('POST', '/api/agent-upgrades', {
        version: '2.0.0',
        targets: { needsUpgrade: true },
        errorThreshold: { count: 1 },
      });
      expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
      expect(created.body).toMatchObject({
        kind: 'agent_package',
        packageVersion: '2.0.0',
        targets: { agentIds: ['old-1'], agentIdCount: 1 },
      });
      const frame = await waitFor('agent.upgrade to old-1', async () =>
        old.frames.find((f) => f.type === 'agent.upgrade'),
      );
      expect(able.frames.some((f) => f.type === 'agent.upgrade')).toBe(false);
      // Signed by central's profile-signing key, which the agent pinned from welcome.
      const welcome = await old.welcome();
      expect(
        verifyManifestSignature(
          Buffer.from(frame.manifest as string),
          Buffer.from(frame.signature as string, 'base64'),
          importProfileSigningPublicKey(welcome.profileSigningKey as string),
        ),
      ).toBe(true);
      // The archive over the session, in chunks.
      old.send({ type: 'package.fetch', sha256: frame.sha256, offset: 0, length: 100 });
      const chunk = await waitFor('package.chunk', async () =>
        old.frames.find((f) => f.type === 'package.chunk'),
      );
      expect(chunk).toMatchObject({ offset: 0, totalBytes: frame.sizeBytes });
      expect(Buffer.from(chunk.data as string, 'base64').length).toBe(100);
      old.send({ type: 'package.fetch', sha256: '0'.repeat(64), offset: 0, length: 100 });
      await waitFor('a refused fetch', async () =>
        old.frames.find((f) => f.type === 'package.chunk' && f.error),
      );

      const id = created.body.id;
      old.send({
        type: 'agent.upgrade.status',
        deliveryId: frame.deliveryId,
        version: '2.0.0',
        state: 'downloading',
      });
      old.send({
        type: 'agent.upgrade.status',
        deliveryId: frame.deliveryId,
        version: '2.0.0',
        state: 'failed',
        reason: 'version 2.0.0 exited with code 1 before central welcomed it; back on 1.0.0',
      });
      const halted = await waitFor('the rollout halted', async () => {
        const r = await c.api.ok<{
          state: string;
          agents: Array<{ agentId: string; state: string; reason: string }>;
        }>('GET', `/api/rollouts/${id}`);
        return r.state === 'halted' ? r : undefined;
      });
      expect(halted.agents).toEqual([
        expect.objectContaining({
          agentId: 'old-1',
          state: 'failed',
          reason: expect.stringContaining('back on 1.0.0'),
        }),
      ]);
    } finally {
      able.socket.close();
      old.socket.close();
    }
  });
});
