import { type Browser } from 'playwright-core';
import pg from 'pg';
import WebSocket from 'ws';
import { ApiClient } from '../support/api-client.js';
import {
  launchChromium,
  logInThroughUi,
  openTab,
  openUi,
  screenshot,
  type UiSession,
  ensureUiBuilt,
} from '../support/browser.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { makeServerChain } from '../support/openssl-fixtures.js';
import { freePort, waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { presentedCertificate } from '../support/tls-probe.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

/** Roles land with the auth work (/api/users); until then the viewer journey is skipped, and says so. */

describe('e2e: the System Administration UI in Chromium', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;
  let ui: UiSession;

  beforeAll(async () => {
    // The UI is served from dist/ui; `npm test` builds it first, a lone run of this file may not have.
    ensureUiBuilt();
    db = await createTestDatabase();
    central = await startTestCentral(db.url, { heartbeatMs: 1000 });
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await central?.stop();
    await db?.drop();
  });

  afterEach(() => ui.console.assertClean());

  it('logs in, lands on the overview and goes live', async () => {
    const { page } = ui;
    await page.getByRole('heading', { name: 'Switchyard' }).waitFor();
    await screenshot(page, 'login');
    await logInThroughUi(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    await page.locator('.live-live').waitFor(); // the live socket is open
    expect(await page.locator('.who').innerText()).toContain('admin');
  });

  it('rejects a bad port inline and applies nothing', async () => {
    const { page } = ui;
    ui.console.expect({ status: 400, path: '/api/settings/websocket' });
    await openTab(page, 'Parameters');
    await page.getByRole('heading', { name: 'WebSocket Server Settings' }).waitFor();
    const before = await central.api.ok<{ version: number }>('GET', '/api/settings/websocket');
    await page.locator('#secure-port').fill('70000');
    await page.getByRole('button', { name: 'Save and apply' }).click();
    const issue = page.locator('#secure-port-issue');
    await issue.waitFor();
    expect(await issue.innerText()).toBe('must be 1-65535');
    expect(await page.locator('#secure-port').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'parameters-invalid-port');
    const after = await central.api.ok<{ version: number }>('GET', '/api/settings/websocket');
    expect(after.version).toBe(before.version);
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('moves the secure listener to a new port and enables it: a real TLS handshake answers there', async () => {
    const { page } = ui;
    const port = await freePort();
    await openTab(page, 'Parameters');
    await page.locator('#secure-port').fill(String(port));
    await page.getByLabel('Enabled', { exact: true }).check();
    await page.getByRole('button', { name: 'Save and apply' }).click();
    await page.getByText(/Saved and applied \(version \d+\)/).waitFor();
    await page.locator(`[data-listener="secure"] >> text=${port}`).waitFor();
    const cert = await presentedCertificate(port);
    expect(cert.subject).toBeDefined();
    await screenshot(page, 'parameters');
  });

  it('imports a PKCS#12: a wrong password is refused in the dialog, the right one goes live', async () => {
    const { page } = ui;
    ui.console.expect({ status: 400, path: '/api/certificates/server/import' });
    const chain = makeServerChain(makeTempDir('sy-ui-pfx-'), ['localhost', '127.0.0.1'], 'ui-import');
    const pfx = chain.pkcs12('right-password-1');
    await openTab(page, 'Certificates');
    await page.getByRole('button', { name: 'Import certificate…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a server certificate' });
    await dialog.getByLabel('Files').setInputFiles(pfx.path);
    await dialog.getByLabel('Password (PKCS#12 or encrypted key)').fill('wrong-password');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /password/i })
      .waitFor();
    await screenshot(page, 'certificates-import-wrong-password');
    await dialog.getByLabel('Password (PKCS#12 or encrypted key)').fill('right-password-1');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Imported CN=localhost').waitFor();
    expect(await page.getByTestId('days-left').innerText()).toMatch(/\d+ days left/);
    // The secure listener enabled above now presents the imported certificate, without a restart.
    const secure = (
      await central.api.ok<{ value: { secure: { port: number } } }>('GET', '/api/settings/websocket')
    ).value.secure.port;
    await waitFor(
      'the imported certificate at the TLS handshake',
      async () => (await presentedCertificate(secure)).subject.CN === 'localhost',
      10_000,
    );
    await screenshot(page, 'certificates');
  });

  it('shows an agent going online and offline live, without a reload; a token is shown once', async () => {
    const { page } = ui;
    await openTab(page, 'Agents');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').innerText()).trim();
    expect(token).toMatch(/^syt_/);
    const url = `ws://127.0.0.1:${central.ports.plain}/agent`;
    const agent = await RawAgent.connect({ url, agentId: 'branch-7.kiosk-1', secret: token });
    const row = page.locator('tr[data-agent="branch-7.kiosk-1"]');
    await row.locator('[data-status="online"]').waitFor({ timeout: 10_000 });
    expect(await row.locator('[data-col="transport"]').innerText()).toBe('plain');
    await screenshot(page, 'agents');
    agent.send({ type: 'goodbye', reason: 'test' });
    agent.socket.close();
    await row.locator('[data-status="offline"], [data-status="disconnected"]').waitFor({ timeout: 10_000 });
  });

  it('lists the agents a change would strand, and applies nothing until forced', async () => {
    const { page } = ui;
    ui.console.expect({ status: 409, path: '/api/settings/websocket' });
    const { token } = await central.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    // Closing a loopback-only listener strands nobody (the local agent stays local): listen on all first.
    await central.api.ok('PUT', '/api/settings/websocket', { plain: { bindAddress: '0.0.0.0' } });
    const url = `ws://127.0.0.1:${central.ports.plain}/agent`;
    const agent = await RawAgent.connect({ url, agentId: 'branch-9.till-2', secret: token });
    try {
      const before = await central.api.ok<{ version: number }>('GET', '/api/settings/websocket');
      await openTab(page, 'Parameters');
      await page.getByLabel('Enabled on all interfaces').uncheck();
      await page.getByLabel('Localhost fallback when disabled').uncheck();
      await page.getByRole('button', { name: 'Save and apply' }).click();
      const stranded = page.getByRole('list', { name: 'Agents that would be stranded' });
      await stranded.getByText('branch-9.till-2').waitFor();
      await page.getByRole('button', { name: 'Apply anyway and cut them off' }).waitFor();
      await screenshot(page, 'parameters-stranded');
      await page.getByRole('button', { name: 'Keep the current settings' }).click();
      await stranded.waitFor({ state: 'detached' });
      const after = await central.api.ok<{ version: number }>('GET', '/api/settings/websocket');
      expect(after.version).toBe(before.version);
      expect(await page.getByLabel('Enabled on all interfaces').isChecked()).toBe(true);
    } finally {
      agent.socket.close();
      await central.api.ok('PUT', '/api/settings/websocket', {
        plain: { bindAddress: '127.0.0.1' },
        force: true,
      });
    }
  });

  it('keeps thousands of agents fast: only the visible rows are drawn, filters run on the server', async () => {
    const { page } = ui;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `INSERT INTO agents (id, agent_version, connection_status, transport, last_seen_at)
       SELECT 'fleet-' || lpad(n::text, 5, '0'), '0.1.0',
              (ARRAY['offline','disconnected','never_connected'])[1 + n % 3], 'plain', now() - n * interval '1 minute'
         FROM generate_series(1, 5000) n`,
    );
    const { rows } = await client.query<{ total: number }>('SELECT count(*)::int AS total FROM agents');
    await client.end();
    await page.reload();
    await openTab(page, 'Agents');
    await page
      .getByTestId('agent-count')
      .filter({ hasText: new RegExp(`^${rows[0]!.total} agents$`) })
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('tr[data-agent]').count()).toBeLessThan(80);
    await page.locator('.virtual').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator('tr[data-agent="fleet-05000"]').waitFor();
    await page.getByLabel('Status').selectOption('never_connected');
    await page
      .getByTestId('agent-count')
      .filter({ hasText: /^1667 agents$/ })
      .waitFor();
    await page.getByLabel('Search').first().fill('fleet-0499');
    await page
      .getByTestId('agent-count')
      .filter({ hasText: /^\d+ of 1667 agents$/ })
      .waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search').first().fill('');
  });

  it('opens the live socket only for a session of this origin: 401/403 at the upgrade otherwise', async () => {
    const base = central.central.adminUrl;
    const liveUrl = base.replace(/^http/, 'ws') + 'api/live';
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number | { ready: unknown }>((resolve) => {
        const ws = new WebSocket(liveUrl, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('message', (data) => {
          resolve({ ready: JSON.parse(data.toString()) });
          ws.close();
        });
        ws.on('error', () => undefined);
      });
    const login = await fetch(new URL('/api/auth/login', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const origin = base.replace(/\/$/, '');
    expect(await upgrade({ origin })).toBe(401);
    expect(await upgrade({ origin, cookie: 'switchyard_session=sys_forged' })).toBe(401);
    expect(await upgrade({ origin: 'http://evil.example', cookie })).toBe(403);
    expect(await upgrade({ origin, cookie })).toEqual({ ready: { type: 'ready', username: 'admin' } });
  });

  it('searches the audit log', async () => {
    const { page } = ui;
    await openTab(page, 'Audit');
    await page.getByLabel('Search').fill('import');
    await page
      .getByRole('cell', { name: /import/ })
      .first()
      .waitFor();
    await screenshot(page, 'audit');
  });

  it('a viewer sees no write buttons, and the API refuses the writes anyway', async () => {
    await central.api.ok('POST', '/api/users', {
      username: 'vera',
      password: 'viewer-password-1',
      role: 'viewer',
    });
    const viewer = await openUi(browser, central.central.adminUrl);
    try {
      await logInThroughUi(viewer.page, 'vera', 'viewer-password-1');
      await openTab(viewer.page, 'Parameters');
      await viewer.page.getByRole('heading', { name: 'WebSocket Server Settings' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: 'Save and apply' }).count()).toBe(0);
      await openTab(viewer.page, 'Certificates');
      await viewer.page.getByRole('heading', { name: 'Server certificate' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: /Import|Restore/ }).count()).toBe(0);
      await openTab(viewer.page, 'Agents');
      await viewer.page.getByRole('heading', { name: 'Enrollment tokens' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: /Create token|Revoke/ }).count()).toBe(0);
      viewer.console.assertClean();
      // Hidden is not enough: the API refuses the viewer's writes too.
      const api = new ApiClient(central.central.adminUrl);
      await api.login('vera', 'viewer-password-1');
      expect((await api.call('PUT', '/api/settings/websocket', { plain: { port: 1 } })).status).toBe(403);
      expect((await api.call('POST', '/api/agents/enrollment-tokens', {})).status).toBe(403);
    } finally {
      await viewer.context.close();
    }
  });
});
