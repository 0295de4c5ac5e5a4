import { createServer, type Server } from 'node:net';
import { type Browser } from 'playwright-core';
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
import { freePorts } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Issue 16 point 6: screens that tell the truth (bind failures, ticking times, stale data, no raw errors). */
describe('e2e: honest screens in Chromium', () => {
  let db: TestDatabase;
  let central: TestCentral | undefined;
  let browser: Browser;
  let ui: UiSession;
  let blocker: Server;
  let plain: number;
  let stopping: Promise<void> | undefined;

  beforeAll(async () => {
    ensureUiBuilt();
    db = await createTestDatabase();
    const [http, plainPort, secure] = await freePorts(3);
    plain = plainPort;
    // Something else holds the plain agent port when central boots.
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(plain, '127.0.0.1', () => r()));
    central = await startTestCentral(db.url, { ports: { http, plain, secure }, heartbeatMs: 1000 });
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(ui.page, 'admin', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    blocker?.close();
    await browser?.close();
    await stopping;
    await central?.stop();
    await db?.drop();
  });

  it('shows why the plain listener is not running, not just "No listener is bound"', async () => {
    const { page } = ui;
    await openTab(page, 'Parameters');
    const banner = page.locator('[data-listener-failed="plain"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain(
      `port ${plain} on 127.0.0.1 is already in use by another process`,
    );
    await screenshot(page, 'parameters-listener-failed');
    ui.console.assertClean();
  });

  it('relative times move on their own', async () => {
    const { page } = ui;
    await openTab(page, 'Users');
    const cell = page.locator('tr[data-session]').filter({ hasText: 'this browser' }).locator('td').nth(3);
    await cell.waitFor();
    const first = await cell.innerText();
    await page.waitForTimeout(2_500);
    expect(await cell.innerText()).not.toBe(first);
    ui.console.assertClean();
  });

  it('marks the data stale when central goes away, and says "central is not answering" instead of a TypeError', async () => {
    const { page } = ui;
    // Not awaited: central waits for the browser's keep-alive connections while it stops; the page
    // sees the live socket close and new requests refused as soon as it begins.
    stopping = central!.stop();
    central = undefined;
    await page.getByTestId('stale-banner').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('stale-banner').innerText()).toMatch(/Live updates stopped .* ago/);
    expect(await page.locator('main.content.stale').count()).toBe(1);
    await openTab(page, 'Audit');
    await page.getByText('central is not answering').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('body').innerText()).not.toMatch(/TypeError|Failed to fetch/);
    await openTab(page, 'Parameters');
    await page.getByText('central is not answering — retrying', { exact: true }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'central-not-answering');
  }, 60_000);
});
