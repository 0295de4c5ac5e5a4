// Issue 14, point 9: a 1 KB PFX made with `openssl pkcs12 -export -iter 5000000` froze central for 17–31 s
// (key derivation on the main thread): /api/health waited and agents missed their pings. Now such a file is
// refused before any key is derived, and what is accepted is read in a worker thread.
// Needs `npm run build` first (the worker runs the built file; `npm test` builds).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importInWorker } from '../../apps/central/src/certificates/certificate-import.thread.js';
import { PATCHABLE_ITERATIONS, raiseIterationCounts } from '../../libs/keystore/testing/keystore.js';
import { ApiClient } from '../support/api-client.js';
import { waitFor } from '../support/ports.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { makeServerChain, type ServerChainFixture } from '../support/openssl-fixtures.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const PASSWORD = 'pfx-secret';
/** Many iterations, within the cap: reading this file takes seconds of CPU (measured in the test). */
const SLOW_ITERATIONS = 200_000;

describe('certificate import never blocks the event loop (real PostgreSQL, real agent session)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let dir: string;
  let chain: ServerChainFixture;
  const pfx = (name: string, iterations: number) => {
    const path = join(dir, name);
    execFileSync('openssl', [
      'pkcs12', '-export', '-inkey', chain.keyPath, '-in', chain.leafPath, '-certfile', chain.rootPath,
      '-iter', String(iterations), '-passout', `pass:${PASSWORD}`, '-out', path,
    ]); // prettier-ignore
    return readFileSync(path);
  };

  beforeAll(async () => {
    dir = makeTempDir('sy-pfx-');
    chain = makeServerChain(dir, ['localhost', '127.0.0.1'], 'slow');
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000, env: { SWITCHYARD_AGENT_HOSTS: 'localhost' } });
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('refuses a PFX with 5,000,000 iterations at once, naming the figure, and audits it', async () => {
    // openssl needs ~20 s to make it here: made with 65,536 iterations, the counts raised afterwards.
    const bytes = raiseIterationCounts(pfx('costly.pfx', PATCHABLE_ITERATIONS), 5_000_000);
    writeFileSync(join(dir, 'costly.pfx'), bytes);
    const started = Date.now();
    const r = await c.api.upload<{ error: string; message: string; reason: string }>(
      '/api/certificates/server/import',
      [{ name: 'costly.pfx', bytes }],
      { password: PASSWORD },
    );
    const ms = Date.now() - started;
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'certificate_rejected', reason: 'too_costly' });
    expect(r.body.message).toMatch(
      /^costly\.pfx: PKCS#12 MAC uses 5000000 iterations; at most 1000000 are accepted/,
    );
    expect(ms).toBeLessThan(1000); // deriving would take 17 s or more
  });

  it('reads a PFX with 200,000 iterations in a worker: /api/health answers within 200 ms throughout, the agent keeps its session', async () => {
    const bytes = pfx('slow.pfx', SLOW_ITERATIONS);
    const token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
    const agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${c.ports.plain}/agent`,
      agentId: 'busy-1',
      secret: token,
    });
    let pings = 0;
    agent.socket.on('ping', () => pings++);

    const anon = new ApiClient(c.central.adminUrl);
    const latencies: number[] = [];
    let importing = true;
    const poll = (async () => {
      while (importing) {
        const started = performance.now();
        expect((await anon.call('GET', '/api/health')).status).toBe(200);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    const r = await c.api.upload<{ certificate: { subject: string } }>(
      '/api/certificates/server/import',
      [{ name: 'slow.pfx', bytes }],
      { password: PASSWORD },
    );
    const importMs = performance.now() - started;
    importing = false;
    await poll;

    expect(r.status).toBe(200);
    expect(r.body.certificate.subject).toBe('CN=localhost');
    // The import must have been long enough to prove something: on the main thread it would block for it.
    expect(importMs).toBeGreaterThan(500);
    expect(latencies.length).toBeGreaterThan(5);
    const max = Math.max(...latencies);
    if (process.env.SWITCHYARD_TEST_LOGS) {
      console.log(
        `import ${importMs.toFixed(0)} ms; ${latencies.length} health polls, max ${max.toFixed(1)} ms`,
      );
    }
    expect(max).toBeLessThan(200);
    // The session is still served: a heartbeat ping comes (one per second; the import may end sooner).
    await waitFor('a heartbeat ping on the agent session', async () => pings >= 1, 5000);
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    agent.socket.close();
  });

  it('stops a worker that runs past its time limit and says why', async () => {
    const bytes = readFileSync(join(dir, 'slow.pfx'));
    await expect(
      importInWorker([{ name: 'slow.pfx', bytes }], {
        password: PASSWORD,
        hosts: ['localhost'],
        timeoutMs: 100,
      }),
    ).rejects.toMatchObject({
      code: 'TOO_SLOW',
      message: expect.stringMatching(/^reading slow\.pfx took longer than 100 ms and was stopped/),
    });
  });
});
