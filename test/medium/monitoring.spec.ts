// docs/monitoring: the alert rules and the dashboard name only metrics a real central serves, the rules
// pass promtool (Debian's prometheus package) and their own unit tests, and the channel's counters move.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const DOCS = join(process.cwd(), 'docs', 'monitoring');
const PROMTOOL = spawnSync('promtool', ['--version']).status === 0 ? 'promtool' : undefined;
if (!PROMTOOL)
  console.warn('monitoring.spec: promtool not installed (Debian package prometheus): rule checks SKIPPED');

/** Metric names an expression or rule file mentions. */
function metricNames(text: string): Set<string> {
  return new Set(text.match(/switchyard_[a-z0-9_]+/g) ?? []);
}

/** The HTTP status of an agent upgrade with these credentials (101 when accepted). */
function upgradeStatus(port: number, agentId: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/agent',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'x-switchyard-agent-id': agentId,
        authorization: `Bearer ${secret}`,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

(PROMTOOL ? describe : describe.skip)('alert rules under promtool', () => {
  it('pass `promtool check rules` and the rule unit tests', () => {
    const check = execFileSync(PROMTOOL!, ['check', 'rules', join(DOCS, 'alerts.yml')]).toString();
    expect(check).toMatch(/SUCCESS: \d+ rules found/);
    const tests = execFileSync(PROMTOOL!, ['test', 'rules', join(DOCS, 'alerts.test.yml')]).toString();
    expect(tests).toContain('SUCCESS');
  });
});

describe('monitoring against a real central (real PostgreSQL)', () => {
  let db: TestDatabase;
  let c: TestCentral;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  const scrape = async () => (await fetch(new URL('/metrics', c.central.adminUrl))).text();
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('counts refused upgrades and enrollments, and reports rollouts and the migration', async () => {
    const url = `ws://127.0.0.1:${c.ports.plain}/agent`;
    const first = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const agent = await RawAgent.connect({ url, agentId: 'mon-1', secret: first.token });
    await agent.welcome();
    const other = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    expect(await upgradeStatus(c.ports.plain, 'mon-1', other.token)).toBe(409);
    expect(await upgradeStatus(c.ports.plain, 'mon-2', 'syc_not-a-credential')).toBe(401);

    const text = await scrape();
    expect(value(text, 'switchyard_agent_handshake_failures_total{reason="conflict"}')).toBe(1);
    expect(value(text, 'switchyard_agent_handshake_failures_total{reason="unauthorized"}')).toBe(1);
    expect(value(text, 'switchyard_enrollment_refusals_total{status="409"}')).toBe(1);
    expect(value(text, 'switchyard_rollouts{state="halted"}')).toBe(0);
    expect(value(text, 'switchyard_migration_phase{phase="plain_only"}')).toBe(1);
    expect(value(text, 'switchyard_migration_phase{phase="secure_only"}')).toBe(0);
    // mon-1 is online over plain: secure_only would strand it
    expect(value(text, 'switchyard_migration_stranded_agents')).toBe(1);
    agent.socket.close();
  });

  it('serves every metric the alert rules and the dashboard name', async () => {
    const served = new Set([...(await scrape()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const named = new Set([
      ...metricNames(readFileSync(join(DOCS, 'alerts.yml'), 'utf8')),
      ...metricNames(readFileSync(join(DOCS, 'grafana-dashboard.json'), 'utf8')),
    ]);
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((n) => !served.has(n))).toEqual([]);
  });
});
