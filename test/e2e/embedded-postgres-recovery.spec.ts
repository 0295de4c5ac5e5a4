import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { liveProcess } from '../../apps/central/src/database/postmaster.js';
import { ApiClient } from '../support/api-client.js';
import { freePorts, waitFor } from '../support/ports.js';
import { startCentralProcess, type RunningProcess } from '../support/processes.js';
import { RawAgent } from '../support/raw-agent.js';
import { makeTempDir } from '../support/test-database.js';

// Only the embedded server is central's to adopt and restart; the external-database pass skips this.
const describeEmbedded = process.env.DATABASE_URL ? describe.skip : describe;
const ADMIN_PASSWORD = 'recovery-test-password-1';

describeEmbedded('the embedded PostgreSQL after a crash (kill -9 of central, then of PostgreSQL)', () => {
  const dataDir = join(makeTempDir('sy-pg-recovery-'), 'data');
  const started: RunningProcess[] = [];
  const ports = { http: 0, plain: 0, joiner: 0 };
  const start = async () => {
    const p = startCentralProcess({
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_HTTP_PORT: String(ports.http),
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    started.push(p);
    await p.waitForOutput(/Switchyard central is running/, 60_000);
    return p;
  };
  const postmasterPid = () =>
    Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const api = () => new ApiClient(`http://127.0.0.1:${ports.http}/`);

  beforeAll(async () => {
    [ports.http, ports.plain, ports.joiner] = await freePorts(3);
  });
  afterAll(async () => {
    for (const p of started.reverse()) await p.stop('SIGTERM');
  });

  it('adopts the server a killed central left running, and stops it on exit', async () => {
    const first = await start();
    const pid = postmasterPid();
    await first.stop('SIGKILL');
    expect(liveProcess(pid)).toBeDefined(); // the server outlived its central

    const second = await start();
    expect(second.output).toContain(`adopting the embedded PostgreSQL (pid ${pid})`);
    expect(second.output).not.toContain('reusing the embedded PostgreSQL');
    expect(await api().ok('GET', '/api/ready')).toEqual({ status: 'ready', database: 'ok' });
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(second.output).toContain('embedded PostgreSQL stopped');
    expect(liveProcess(pid)).toBeUndefined();
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 150_000);

  it('starts the server again by itself when it is killed; agents connect again', async () => {
    const central = await start();
    const admin = api();
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.ok('PUT', '/api/settings/websocket', {
      plain: { port: ports.plain, bindAddress: '127.0.0.1' },
    });
    const { token } = await admin.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    });
    const url = `ws://127.0.0.1:${ports.plain}/agent`;
    const agent = await waitFor('the plain listener', () =>
      RawAgent.connect({ url, agentId: 'before', secret: token }),
    );
    agent.socket.close();

    const pid = postmasterPid();
    const from = central.output.length;
    process.kill(pid, 'SIGKILL');
    await central.waitForOutput(
      /the embedded PostgreSQL is not running: starting it again \(attempt 1\)/,
      10_000,
      from,
    );
    await waitFor(
      'ready again',
      async () => (await admin.call('GET', '/api/ready')).status === 200,
      30_000,
      250,
    );
    await central.waitForOutput(/embedded PostgreSQL running again after \d+ attempt/, 5_000, from);
    expect(postmasterPid()).not.toBe(pid);
    expect((await fetch(`http://127.0.0.1:${ports.http}/api/health`)).status).toBe(200);

    const after = await waitFor(
      'an agent welcomed after the restart',
      () => RawAgent.connect({ url, agentId: 'after', secret: token }),
      20_000,
      500,
    );
    await waitFor(
      'the agent shown online',
      async () => (await admin.ok<{ status: string }>('GET', '/api/agents/after')).status === 'online',
    );
    after.socket.close();

    // Another node joins this installation with the URL pg.json gives (same master key: same data folder).
    const { url: joinUrl } = JSON.parse(readFileSync(join(dataDir, 'pg.json'), 'utf8')) as { url: string };
    const node = startCentralProcess({
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_HTTP_PORT: String(ports.joiner),
      DATABASE_URL: joinUrl,
    });
    started.push(node);
    await node.waitForOutput(/Switchyard central is running/, 60_000);
    expect(node.output).toMatch(
      /DATABASE_URL: database "switchyard" at 127\.0\.0\.1:\d+: installation [0-9a-f]{16} created \d{4}-\d\d-\d\d, 2 agents/,
    );
    expect(node.output).not.toContain(joinUrl); // the password stays in pg.json
    expect(await node.stop('SIGTERM')).toBe(0);

    const restarted = postmasterPid();
    expect(await central.stop('SIGTERM')).toBe(0);
    expect(liveProcess(restarted)).toBeUndefined();
  }, 150_000);
});
