import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { waitFor } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('GET /metrics (Prometheus, real PostgreSQL)', () => {
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

  const scrape = async () => {
    const res = await fetch(new URL('/metrics', c.central.adminUrl));
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('exports agents by status and transport, certificate expiry and listener connections, without a session', async () => {
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const agent = new RawAgent({
      url: `ws://127.0.0.1:${c.ports.plain}/agent`,
      agentId: 'metrics-1',
      secret: token,
    });
    await agent.opened;
    agent.hello('plain');
    await waitFor('agent welcomed', async () => agent.frames.some((f) => f.type === 'welcome'));

    const m = await scrape();
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain/);
    expect(m.text).toMatch(/^switchyard_agents\{status="online",transport="plain"\} 1$/m);
    const expiry = Number(/^switchyard_server_certificate_expiry_seconds (\S+)$/m.exec(m.text)?.[1]);
    expect(expiry).toBeGreaterThan(700 * 86_400);
    expect(m.text).toMatch(
      /^switchyard_listener_connections\{listener="plain",address="127.0.0.1",port="\d+"\} 1$/m,
    );
    expect(m.text).toContain('switchyard_central_process_resident_memory_bytes');
    agent.socket.close();
  });
});
