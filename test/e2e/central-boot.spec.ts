import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ApiClient } from '../support/api-client.js';
import { freePort } from '../support/ports.js';
import { startCentralProcess, type RunningProcess } from '../support/processes.js';
import { tcpAccepts } from '../support/tls-probe.js';
import { makeTempDir } from '../support/test-database.js';

// The embedded-database path of `npm start`; the external-database pass of CI covers the rest.
const describeEmbedded = process.env.DATABASE_URL ? describe.skip : describe;

describeEmbedded('central process on its embedded PostgreSQL (the first README command)', () => {
  const dataDir = join(makeTempDir('sy-boot-'), 'data');
  const started: RunningProcess[] = [];
  const start = (env: Record<string, string>, nodeFlags?: string[]) => {
    const p = startCentralProcess({ SWITCHYARD_DATA_DIR: dataDir, ...env }, nodeFlags);
    started.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of started.reverse()) await p.stop('SIGTERM');
  });

  it('refuses a wrong environment value naming the variable', async () => {
    const p = start({ SWITCHYARD_HTTP_PORT: 'eighty' });
    expect(await p.exited).toBe(2);
    expect(p.output).toContain('SWITCHYARD_HTTP_PORT: must be a port number 1-65535');
  });

  it('starts, prints the admin URL and a one-time password, stops cleanly, and reuses its data', async () => {
    const port = await freePort();
    const first = start({ SWITCHYARD_HTTP_PORT: String(port) });
    await first.waitForOutput(/Switchyard central is running/, 60_000);
    expect(first.output).toContain(`http://127.0.0.1:${port}/`);
    const password = (await first.waitForOutput(/user "admin", password (\S+)/))[1];
    const api = new ApiClient(`http://127.0.0.1:${port}/`);
    expect(await api.ok('GET', '/api/ready')).toEqual({ status: 'ready', database: 'ok' });
    await api.login('admin', password);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'pg.json')).mode & 0o777).toBe(0o600);
    const cluster = JSON.parse(readFileSync(join(dataDir, 'pg.json'), 'utf8')) as {
      port: number;
      password: string;
      database: string;
      url: string;
    };
    const pgPort = cluster.port;
    // pg.json names the installation's database, and its URL is ready for another node or psql.
    expect(cluster.database).toBe('switchyard');
    expect(cluster.url).toBe(
      `postgres://postgres:${encodeURIComponent(cluster.password)}@127.0.0.1:${pgPort}/switchyard`,
    );
    // From outside over TCP: every connection central holds came through the socket (no client address).
    const tools = new pg.Client({ connectionString: cluster.url });
    await tools.connect();
    const { rows } = await tools.query<{ socket: number; tcp: number }>(
      `SELECT count(*) FILTER (WHERE client_addr IS NULL)::int AS socket,
              count(*) FILTER (WHERE client_addr IS NOT NULL)::int AS tcp
         FROM pg_stat_activity
        WHERE datname = 'switchyard' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    await tools.end();
    expect(rows[0]!.socket).toBeGreaterThan(0);
    expect(rows[0]!.tcp).toBe(0);
    expect(first.output).not.toMatch(/password \S+.*\n[\s\S]*password \S+/); // printed once
    expect(first.output).not.toContain('started without');
    // Central talks to its embedded server through the Unix socket in the cluster directory; TCP on
    // 127.0.0.1 stays open for tools.
    expect(first.output).toMatch(
      /embedded PostgreSQL started on 127\.0\.0\.1:\d+; central connects through its Unix socket/,
    );

    // a second central on the same data directory reuses the running database
    const secondPort = await freePort();
    // …started by hand without npm start's Node flags: it runs, and says what it misses.
    const second = start({ SWITCHYARD_HTTP_PORT: String(secondPort) }, []);
    await second.waitForOutput(/Switchyard central is running/, 60_000);
    expect(second.output).toContain('started without --max-semi-space-size=64 (npm start passes it)');
    expect(second.output).toMatch(
      /reusing the embedded PostgreSQL .*; central connects through its Unix socket/,
    );
    expect(second.output).not.toContain('first admin:');
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(await api.ok('GET', '/api/ready')).toEqual({ status: 'ready', database: 'ok' });

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output).toContain('embedded PostgreSQL stopped');
    expect(await tcpAccepts(pgPort, '127.0.0.1')).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const again = start({ SWITCHYARD_HTTP_PORT: String(port) });
    await again.waitForOutput(/Switchyard central is running/, 60_000);
    expect(again.output).not.toContain('first admin:');
    const api2 = new ApiClient(`http://127.0.0.1:${port}/`);
    await api2.login('admin', password);
    expect(await again.stop('SIGINT')).toBe(0);
  }, 180_000);

  it('stops cleanly, embedded PostgreSQL included, when told to stop while it is starting', async () => {
    const p = startCentralProcess({
      SWITCHYARD_DATA_DIR: join(makeTempDir('sy-boot-early-'), 'data'),
      SWITCHYARD_HTTP_PORT: String(await freePort()),
    });
    started.push(p);
    const pgPort = Number(
      (await p.waitForOutput(/embedded PostgreSQL started on 127\.0\.0\.1:(\d+)/, 60_000))[1],
    );
    expect(await p.stop('SIGTERM', 60_000)).toBe(0);
    expect(p.output).toMatch(/SIGTERM: (central stops as soon as it has started|stopping central)/);
    expect(p.output).toContain('embedded PostgreSQL stopped');
    expect(await tcpAccepts(pgPort, '127.0.0.1')).toBe(false);
  }, 120_000);
});
