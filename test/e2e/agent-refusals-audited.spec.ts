// Issue 17 "bad input" (ADR 51): what a real agent refuses on its machine reaches central's audit log
// with the agent as the actor and the reason — a password-guessing local client as a few entries with
// the count, not one per guess; a path out of the file transfer area; an upload over the quota or the
// size limit; and an upgrade package the agent refuses (it needs a newer Node.js than the agent runs).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashPassword } from '../../apps/agent/src/local-api/hash-password-command.js';
import { generateLocalCa, signServerCertificate } from '../../libs/pki/index.js';
import type { AuditEntry } from '../../libs/api/audit.js';
import { packageKey, signPackage, tinyPackageArchive, trustPackageKey } from '../support/agent-packages.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { explainOnTimeout, freePort, waitFor } from '../support/ports.js';
import { type RunningProcess, startTestAgent } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const AGENT = 'till-7';
const GUESSED = 'till-8';
const PASSWORD = 'correct horse battery';

/** curl's answer: body then ` <status>`; never rejects. */
async function curl(...args: string[]): Promise<string> {
  try {
    return (await run('curl', ['-sS', '-k', '--max-time', '15', '-w', ' %{http_code}', ...args])).stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

describe('e2e: refusals of a real agent are audited on central, counted, not flooded', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let ca: Awaited<ReturnType<typeof generateLocalCa>>;
  let hash: string;
  const agents: RunningProcess[] = [];
  // till-7 refuses files and a package; till-8 meets the password-guessing client. Central limits its
  // audit entries per agent and minute (ADR 51, unit-tested): one agent each keeps the counts exact.
  let files: { agent: RunningProcess; port: number; home: string };
  let guessed: { agent: RunningProcess; port: number; home: string };
  const audit = async (id: string) =>
    (
      await c.api.ok<AuditEntry[]>('GET', `/api/audit?actor=${encodeURIComponent(`agent:${id}`)}&limit=1000`)
    ).reverse();
  const refusals = async (id: string, kind: string) =>
    (await audit(id)).filter((e) => e.action === 'agent refusal' && e.details.kind === kind);

  /** A real agent process whose local API is at level 3 with a password, over HTTPS, 1 MiB quota. */
  async function startAgent(id: string) {
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const home = makeTempDir('sy-refusals-');
    const port = await freePort();
    mkdirSync(join(home, 'conf'), { recursive: true });
    const server = await signServerCertificate({ ca, hosts: ['127.0.0.1'], validityDays: 30 });
    writeFileSync(join(home, 'conf', 'local-api.crt'), server.chainPem);
    writeFileSync(join(home, 'conf', 'local-api.key'), server.privateKeyPem, { mode: 0o600 });
    writeFileSync(
      join(home, 'conf', 'agent.conf'),
      [
        'central.host=127.0.0.1',
        `central.websocket.port=${c.ports.plain}`,
        `agent.id=${id}`,
        'agent.local.api.enabled=true',
        'agent.local.api.security=https-password',
        `agent.local.api.port=${port}`,
        'agent.local.api.tls.cert=conf/local-api.crt',
        'agent.local.api.tls.key=conf/local-api.key',
        'agent.local.api.user=till',
        `agent.local.api.password.hash=${hash}`,
        'agent.local.api.files.max.size=1',
        'agent.local.api.files.quota=1',
        '',
      ].join('\n'),
    );
    const agent = startTestAgent(home, { token });
    agents.push(agent);
    await explainOnTimeout(
      () =>
        waitFor(`${id} online and its local API listening`, async () => {
          const row = await c.api.call<{ status: string }>('GET', `/api/agents/${id}`);
          return row.status === 200 && row.body.status === 'online' && /local API on https:/.test(agent.output);
        }, 30_000),
      async () => agent.output.slice(-3000),
    ); // prettier-ignore
    return { agent, port, home };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    ca = await generateLocalCa({ commonName: 'Branch CA (test)', validityDays: 30 });
    hash = await hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 });
    [files, guessed] = await Promise.all([startAgent(AGENT), startAgent(GUESSED)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await c?.stop();
    await db?.drop();
  });

  it('audits a path out of the file area, an upload over the size limit and one over the quota', async () => {
    const auth = ['-u', `till:${PASSWORD}`];
    const base = `https://127.0.0.1:${files.port}/files`;
    const file = (kb: number) => {
      const path = join(files.home, `upload-${kb}.bin`);
      writeFileSync(path, Buffer.alloc(kb * 1024, 7));
      return path;
    };
    expect(
      await curl(...auth, '--path-as-is', '-X', 'PUT', '--data-binary', 'x', `${base}/../state/credential`),
    ).toMatch(/ 400$/);
    expect(await curl(...auth, '-T', file(1500), `${base}/big.bin`)).toMatch(/ 413$/);
    expect(await curl(...auth, '-T', file(700), `${base}/a.bin`)).toMatch(/ 201$/);
    expect(await curl(...auth, '-T', file(700), `${base}/b.bin`)).toMatch(/ 507$/); // prettier-ignore
    for (const [kind, words] of [
      ['local_api.path_refused', /PUT \/files\/\.\.\/state\/credential: .*paths stay inside the file area/],
      ['local_api.file_too_large', /PUT \/files\/big\.bin: /],
      ['local_api.over_quota', /PUT \/files\/b\.bin: /],
    ] as const) {
      const [entry] = await waitFor(`${kind} audited`, async () => {
        const entries = await refusals(AGENT, kind);
        return entries.length > 0 ? entries : undefined;
      }, 20_000, 250); // prettier-ignore
      expect(entry).toMatchObject({ actor: `agent:${AGENT}`, details: { count: 1 } });
      expect(String(entry!.details.reason)).toMatch(words);
    }
  }, 60_000);

  it('audits an upgrade package the agent refuses, with its reason, and the agent runs on', async () => {
    const key = packageKey();
    trustPackageKey(c.dataDir, key);
    // Central accepts it (its checks are about the signature and the archive); the agent refuses it.
    const signed = signPackage(tinyPackageArchive('9.0.0'), '9.0.0', key.privateKey, { minNodeMajor: 99 });
    expect((await c.api.upload('/api/agent-packages', signed.files)).status).toBe(200);
    const rollout = await c.api.ok<{ id: string }>('POST', '/api/agent-upgrades', {
      version: '9.0.0',
      targets: { agentIds: [AGENT] },
    });
    const [entry] = await explainOnTimeout(
      () =>
        waitFor('the refused upgrade audited', async () => {
          const entries = (await audit(AGENT)).filter((e) => e.action === 'agent upgrade refused');
          return entries.length > 0 ? entries : undefined;
        }, 30_000, 250),
      async () => `${JSON.stringify(await c.api.ok('GET', `/api/rollouts/${rollout.id}`), null, 1)}\n${files.agent.output.slice(-3000)}`,
    ); // prettier-ignore
    expect(entry).toMatchObject({
      actor: `agent:${AGENT}`,
      outcome: 'refused',
      target: AGENT,
      details: { rolloutId: rollout.id, version: '9.0.0', reason: expect.stringContaining('needs Node.js >= 99') },
    }); // prettier-ignore
    expect(files.agent.child.exitCode).toBeNull();
    expect((await c.api.ok<{ status: string }>('GET', `/api/agents/${AGENT}`)).status).toBe('online');
  }, 60_000);

  it('audits wrong local API passwords as a few entries carrying the count, never the password', async () => {
    const url = `https://127.0.0.1:${guessed.port}/status`;
    expect(await curl('-u', `till:${PASSWORD}`, url)).toMatch(/ 200$/);
    const answers: string[] = [];
    for (let i = 1; i <= 8; i++) answers.push(await curl('-u', `till:guess-${i}`, url));
    expect(answers.filter((a) => a.endsWith(' 401'))).toHaveLength(5);
    expect(answers.filter((a) => a.endsWith(' 429'))).toHaveLength(3);
    // The first at once, the rest of the burst once the agent's 10 s window ends: 5 in all.
    const wrong = await explainOnTimeout(
      () =>
        waitFor(
          'the five wrong passwords audited',
          async () => {
            const entries = await refusals(GUESSED, 'local_api.wrong_password');
            return entries.reduce((n, e) => n + Number(e.details.count), 0) === 5 ? entries : undefined;
          },
          30_000,
          250,
        ),
      async () => `${JSON.stringify(await audit(GUESSED), null, 1)}\n${guessed.agent.output.slice(-3000)}`,
    );
    expect(wrong.length).toBeLessThanOrEqual(2);
    expect(wrong[0]).toMatchObject({
      actor: `agent:${GUESSED}`,
      outcome: 'refused',
      target: GUESSED,
      details: { localAddress: '127.0.0.1', reason: expect.stringContaining('wrong user name or password from 127.0.0.1') },
    }); // prettier-ignore
    const limited = await waitFor('the 429s audited', async () => {
      const entries = await refusals(GUESSED, 'local_api.too_many_attempts');
      return entries.reduce((n, e) => n + Number(e.details.count), 0) === 3 ? entries : undefined;
    }, 30_000, 250); // prettier-ignore
    expect(limited[0]!.details.reason).toMatch(/too many wrong passwords from 127\.0\.0\.1/);
    const text = JSON.stringify(await audit(GUESSED));
    for (let i = 1; i <= 8; i++) expect(text).not.toContain(`guess-${i}`);
    expect(text).not.toContain(PASSWORD);
    console.log(`agent-refusals: 8 wrong passwords → ${wrong.length + limited.length} audit entries`);
  }, 60_000);
});
