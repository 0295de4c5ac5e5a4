// Agent profiles through the admin API against real PostgreSQL: built-ins, drafts, prepare (deterministic
// archives), diff, the archive opened with the published signing key, Java's keytool reading the
// truststores inside it, and the agents' download endpoint on the listeners.
import { createHash } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import {
  createCaCertificate,
  keytool,
  parseKeytoolListVerbose,
  succeeded,
  toPem,
} from '../../libs/keystore/testing/keystore.js';
import { importProfileSigningPublicKey, openProfileArchive } from '../../libs/profile-archive/index.js';
import { PropertiesDocument } from '../../libs/properties/index.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

interface Issue {
  field: string;
  message: string;
}
interface ProfileView {
  name: string;
  builtIn: boolean;
  draftVersion: number;
  draftChanged: boolean | null;
  agentConf: string;
  keys: {
    known: Array<{ key: string; value: string | null }>;
    unknown: Array<{ key: string; value: string }>;
  };
  truststore: Array<{ source: string; alias: string; certificate: { fingerprintSha256: string } | null }>;
  truststorePassword: string;
  copiedFrom: string | null;
  latestRevision: { revision: number; sha256: string } | null;
}
interface RevisionView {
  revision: number;
  sha256: string;
  sizeBytes: number;
  created: boolean;
  agentConf: string;
  truststore: Array<{ alias: string; fingerprintSha256: string }>;
}

const COMMENTED_CONF = `# Branch offices (hand-written)
central.host=central.example.org
! a bang comment stays too
central.websocket.port=8787

# a key central does not know, kept verbatim
vendor.queue.depth = 42
jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStorePassword=s3cret-pass
`;

describe('agent profiles: drafts, prepare, revisions, diff, downloads (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let cookie: string;
  let temp: string;

  /** Raw admin GET (binary bodies and headers), logged in with its own session. */
  const adminGet = async (path: string) => {
    const res = await fetch(new URL(path, c.central.adminUrl), { headers: { cookie } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const profile = (name: string) => c.api.ok<ProfileView>('GET', `/api/profiles/${name}`);
  const prepare = (name: string) => c.api.call<RevisionView>('POST', `/api/profiles/${name}/prepare`);

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    const login = await fetch(new URL('/api/auth/login', c.central.adminUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    temp = makeTempDir('sy-profiles-');
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('loads the built-in default profile at boot, password hidden, trusting the server anchor', async () => {
    const list = await c.api.ok<Array<{ name: string; builtIn: boolean; latestRevision: unknown }>>(
      'GET',
      '/api/profiles',
    );
    expect(list).toContainEqual(
      expect.objectContaining({ name: 'default', builtIn: true, latestRevision: null }),
    );
    const view = await profile('default');
    expect(view.agentConf).toContain('# Switchyard agent configuration');
    expect(view.agentConf).toContain(
      'jetty.jvm.args=-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=(set) -Djavax.net.ssl.trustStoreType=JKS',
    );
    expect(view.truststorePassword).toBe('(set)');
    expect(view.truststore).toEqual([
      expect.objectContaining({
        source: 'server-anchor',
        alias: 'switchyard-central',
        certificate: expect.anything(),
      }),
    ]);
    expect(JSON.stringify(view)).not.toContain('changeit');
    // Built-ins cannot be deleted.
    expect((await c.api.call('DELETE', '/api/profiles/default')).status).toBe(409);
  });

  it('creates from a template and from text, copies under a new name, refuses taken and bad names', async () => {
    const fromTemplate = await c.api.call<ProfileView>('POST', '/api/profiles', {
      name: 'tpl',
      template: 'default',
    });
    expect(fromTemplate.status).toBe(201);
    expect(fromTemplate.body.builtIn).toBe(false);
    const fromText = await c.api.call<ProfileView>('POST', '/api/profiles', {
      name: 'branches',
      agentConf: COMMENTED_CONF,
    });
    expect(fromText.status).toBe(201);
    // The password written in jetty.jvm.args became the profile's password, and left the text.
    expect(fromText.body.agentConf).not.toContain('s3cret-pass');
    expect(JSON.stringify(fromText.body)).not.toContain('s3cret-pass');
    const copy = await c.api.call<ProfileView>('POST', '/api/profiles/branches/copy', {
      name: 'branches.copy',
    });
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ name: 'branches.copy', copiedFrom: 'branches', builtIn: false });
    expect(copy.body.agentConf).toBe(fromText.body.agentConf);

    expect((await c.api.call('POST', '/api/profiles', { name: 'branches' })).status).toBe(409);
    const bad = await c.api.call<{ issues: Issue[] }>('POST', '/api/profiles', {
      name: '../etc',
      template: 'nope',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field)).toContain('name');
    const noTemplate = await c.api.call<{ issues: Issue[] }>('POST', '/api/profiles', {
      name: 'x',
      template: 'nope',
    });
    expect(noTemplate.body.issues).toEqual([expect.objectContaining({ field: 'template' })]);
    expect((await c.api.call('GET', '/api/profiles/missing')).status).toBe(404);
  });

  it("a new profile from a template or from nothing takes central's listener ports, not the template's 8787", async () => {
    const { plain, secure } = c.ports;
    expect([plain, secure]).not.toContain(8787);
    const tpl = await c.api.ok<ProfileView>('POST', '/api/profiles', {
      name: 'ports-tpl',
      template: 'default',
    });
    expect(tpl.agentConf).toContain(`\ncentral.websocket.port=${plain}\n`);
    expect(tpl.agentConf).toContain(`\ncentral.websocket.secure.port=${secure}\n`);
    expect(tpl.agentConf).not.toMatch(/^central\.websocket\.port=8787$/m);
    // The template's comments stay: only the two values changed.
    expect(tpl.agentConf).toContain('# Plain WebSocket port: ws://<central.host>:<port>/agent');
    const bare = await c.api.ok<ProfileView>('POST', '/api/profiles', { name: 'ports-bare' });
    expect(bare.agentConf).toContain(`central.websocket.port=${plain}`);
    expect(bare.agentConf).toContain(`central.websocket.secure.port=${secure}`);
    // Text the operator wrote is kept as written.
    const own = await c.api.ok<ProfileView>('POST', '/api/profiles', {
      name: 'ports-own',
      agentConf: 'central.host=h.example\ncentral.websocket.port=8787\n',
    });
    expect(own.agentConf).toMatch(/^central\.websocket\.port=8787$/m);
  });

  it('edits a key in place: comments, order and unknown keys stay', async () => {
    const before = await profile('branches');
    const after = await c.api.ok<ProfileView>('PUT', '/api/profiles/branches', {
      draftVersion: before.draftVersion,
      set: { 'central.host': 'queue-central.example.org' },
    });
    expect(after.draftVersion).toBe(before.draftVersion + 1);
    expect(after.agentConf).toBe(
      before.agentConf.replace('central.host=central.example.org', 'central.host=queue-central.example.org'),
    );
    expect(after.agentConf).toContain('! a bang comment stays too');
    expect(after.agentConf).toContain('vendor.queue.depth = 42');
    expect(after.keys.unknown).toEqual([{ key: 'vendor.queue.depth', value: '42' }]);
    expect(after.keys.known).toContainEqual(
      expect.objectContaining({ key: 'central.host', value: 'queue-central.example.org' }),
    );
    // Known keys before unknown ones in the text are untouched, and -Xmx64m survived the truststore options.
    expect(after.agentConf).toContain('jetty.jvm.args=-Xmx64m -Djavax.net.ssl.trustStorePassword=(set)');
  });

  it('refuses bad values naming each key (400) and a stale draftVersion (409); nothing is stored', async () => {
    const current = await profile('branches');
    const bad = await c.api.call<{ error: string; issues: Issue[] }>('PUT', '/api/profiles/branches', {
      draftVersion: current.draftVersion,
      set: {
        'central.websocket.port': 'seventy',
        'central.websocket.secure': 'yes',
        'jetty.jvm.args': '-Djavax.net.ssl.trustStore=/etc/other.jks',
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field).sort()).toEqual(
      ['central.websocket.port', 'central.websocket.secure', 'jetty.jvm.args'].sort(),
    );
    const badBody = await c.api.call<{ issues: Issue[] }>('PUT', '/api/profiles/branches', {
      draftVersion: current.draftVersion,
      minimumAgentVersion: 'one',
      truststorePassword: 'short',
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.issues.map((i) => i.field).sort()).toEqual([
      'minimumAgentVersion',
      'truststorePassword',
    ]);

    const stale = await c.api.call<{ draftVersion: number }>('PUT', '/api/profiles/branches', {
      draftVersion: current.draftVersion - 1,
      set: { 'agent.log.level': 'debug' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.draftVersion).toBe(current.draftVersion);
    expect((await profile('branches')).agentConf).toBe(current.agentConf);
  });

  let first: RevisionView;

  it('prepares deterministically: the same draft gives the same revision, sha256 and bytes', async () => {
    const made = await prepare('branches');
    expect(made.status).toBe(201);
    first = made.body;
    expect(first).toMatchObject({ revision: 1, created: true });
    expect(first.agentConf).not.toContain('s3cret-pass');

    const again = await prepare('branches');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ revision: 1, sha256: first.sha256, created: false });
    expect((await profile('branches')).draftChanged).toBe(false);

    const one = await adminGet('/api/profiles/branches/revisions/1/archive');
    const two = await adminGet('/api/profiles/branches/revisions/1/archive');
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('application/zip');
    expect(one.headers.get('content-disposition')).toBe('attachment; filename="branches-r1.zip"');
    expect(one.bytes.equals(two.bytes)).toBe(true);
    expect(createHash('sha256').update(one.bytes).digest('hex')).toBe(first.sha256);
    expect(one.bytes.length).toBe(first.sizeBytes);
    // The copy has the same draft but another name: its own archive, its own sha256.
    const copy = (await prepare('branches.copy')).body;
    expect(copy.sha256).not.toBe(first.sha256);
  });

  it('opens the archive with the published signing key; keytool lists both truststores as trustedCertEntry', async () => {
    const { publicKeyPem } = await c.api.ok<{ publicKeyPem: string }>('GET', '/api/profile-signing-key');
    const archive = (await adminGet('/api/profiles/branches/revisions/1/archive')).bytes;
    const opened = await openProfileArchive(archive, {
      publicKey: importProfileSigningPublicKey(publicKeyPem),
      expectedSha256: first.sha256,
    });
    expect(opened.manifest).toMatchObject({ profile: 'branches', revision: 1, minimumAgentVersion: '0.1.0' });
    expect([...opened.files.keys()].sort()).toEqual([
      'conf/agent.conf',
      'conf/security/truststore.jks',
      'conf/security/truststore.p12',
    ]);
    const conf = PropertiesDocument.parse(opened.files.get('conf/agent.conf')!.toString('utf8'));
    expect(conf.get('vendor.queue.depth')).toBe('42');
    expect(conf.get('jetty.jvm.args')).toBe(
      '-Xmx64m -Djavax.net.ssl.trustStorePassword=s3cret-pass -Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStoreType=JKS',
    );

    const anchor = (await profile('branches')).truststore[0]!.certificate!.fingerprintSha256;
    for (const [file, type] of [
      ['conf/security/truststore.jks', 'JKS'],
      ['conf/security/truststore.p12', 'PKCS12'],
    ] as const) {
      const path = join(temp, file.split('/').at(-1)!);
      writeFileSync(path, opened.files.get(file)!);
      const listed = succeeded(
        await keytool(['-list', '-v', '-keystore', path, '-storepass', 's3cret-pass', '-storetype', type]),
      );
      expect(parseKeytoolListVerbose(listed.stdout)).toEqual([
        { alias: 'switchyard-central', entryType: 'trustedCertEntry', sha256: anchor },
      ]);
    }
  });

  it('a change makes a new revision with a new sha256; diff shows keys, certificates and a hidden password', async () => {
    const extraCa = toPem(await createCaCertificate('ec', 'Branch Root CA'));
    const current = await profile('branches');
    await c.api.ok('PUT', '/api/profiles/branches', {
      draftVersion: current.draftVersion,
      set: { 'central.websocket.secure': 'true' },
      unset: ['vendor.queue.depth'],
      truststore: [{ source: 'server-anchor' }, { source: 'uploaded', alias: 'branch-root', pem: extraCa }],
    });
    expect((await profile('branches')).draftChanged).toBe(true);
    const second = await prepare('branches');
    expect(second.status).toBe(201);
    expect(second.body.revision).toBe(2);
    expect(second.body.sha256).not.toBe(first.sha256);

    const diff = await c.api.ok<{
      agentConf: Array<{ key: string; change: string; old?: string; new?: string }>;
      truststore: { added: Array<{ alias: string }>; removed: unknown[] };
      truststorePassword: string;
    }>('GET', '/api/profiles/branches/diff?from=1&to=2');
    expect(diff.agentConf).toEqual([
      { key: 'central.websocket.secure', change: 'added', new: 'true' },
      { key: 'vendor.queue.depth', change: 'removed', old: '42' },
    ]);
    expect(diff.truststore.added).toEqual([expect.objectContaining({ alias: 'branch-root' })]);
    expect(diff.truststore.removed).toEqual([]);
    expect(diff.truststorePassword).toBe('unchanged');

    const latest = await profile('branches');
    await c.api.ok('PUT', '/api/profiles/branches', {
      draftVersion: latest.draftVersion,
      truststorePassword: 'n3w-password',
      truststore: [{ source: 'server-anchor' }],
    });
    const toDraft = await c.api.call<{
      agentConf: Array<{ key: string; old?: string; new?: string }>;
      truststore: { removed: Array<{ alias: string }> };
      truststorePassword: string;
    }>('GET', '/api/profiles/branches/diff?from=2&to=draft');
    expect(toDraft.body.truststorePassword).toBe('changed');
    expect(toDraft.body.truststore.removed).toEqual([expect.objectContaining({ alias: 'branch-root' })]);
    expect(toDraft.body.agentConf).toEqual([
      expect.objectContaining({
        key: 'jetty.jvm.args',
        old: expect.stringContaining('trustStorePassword=(set)'),
      }),
    ]);
    expect(toDraft.body.agentConf[0]!.new).toContain('trustStorePassword=(changed)');
    const text = JSON.stringify(toDraft.body);
    expect(text).not.toContain('n3w-password');
    expect(text).not.toContain('s3cret-pass');
    // Nor in the audit log, which stores request bodies.
    expect(JSON.stringify(await c.api.ok('GET', '/api/audit?limit=200'))).not.toMatch(
      /s3cret-pass|n3w-password/,
    );

    const revisions = await c.api.ok<Array<{ revision: number }>>('GET', '/api/profiles/branches/revisions');
    expect(revisions.map((r) => r.revision)).toEqual([2, 1]);
    expect((await c.api.call('GET', '/api/profiles/branches/revisions/9')).status).toBe(404);
  });

  it('serves archives to enrolled agents on the plain and secure listeners: 401 without credential, 404 unknown', async () => {
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 30,
    });
    const agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${c.ports.plain}/agent`,
      agentId: 'dl-1',
      secret: token,
    });
    const credential = (await agent.welcome()).credential as string;
    agent.socket.close();
    const headers = { authorization: `Bearer ${credential}`, 'x-switchyard-agent-id': 'dl-1' };
    const plain = (path: string, h: Record<string, string> = headers) =>
      fetch(`http://127.0.0.1:${c.ports.plain}${path}`, { headers: h });

    const ok = await plain(`/profiles/${first.sha256}.zip`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/zip');
    expect(ok.headers.get('etag')).toBe(`"${first.sha256}"`);
    const bytes = Buffer.from(await ok.arrayBuffer());
    expect(Number(ok.headers.get('content-length'))).toBe(bytes.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(first.sha256);

    expect((await plain(`/profiles/${first.sha256}.zip`, {})).status).toBe(401);
    expect(
      (await plain(`/profiles/${first.sha256}.zip`, { ...headers, authorization: 'Bearer sya_wrong' }))
        .status,
    ).toBe(401);
    expect(
      (await plain(`/profiles/${first.sha256}.zip`, { ...headers, authorization: `Bearer ${token}` })).status,
    ).toBe(401);
    expect((await plain(`/profiles/${'0'.repeat(64)}.zip`)).status).toBe(404);
    for (const path of [
      `/profiles/${first.sha256.toUpperCase()}.zip`,
      '/profiles/',
      `/profiles/${first.sha256}`,
      '/profiles/x/../../etc/passwd',
    ]) {
      expect((await plain(path)).status).toBe(404);
    }

    // The secure listener serves the same archive (same handler) once enabled.
    await c.api.ok('PUT', '/api/settings/websocket', {
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: c.ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
    const chain = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
    const secure = await new Promise<{ status: number; bytes: Buffer }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: c.ports.secure,
          path: `/profiles/${first.sha256}.zip`,
          headers,
          ca: chain,
          servername: 'localhost',
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(secure.status).toBe(200);
    expect(secure.bytes.equals(bytes)).toBe(true);

    // A revoked agent's credential no longer downloads anything.
    await c.api.ok('DELETE', '/api/agents/dl-1');
    expect((await plain(`/profiles/${first.sha256}.zip`)).status).toBe(401);
  });
});
