// /api/docs in a real browser: after logging in to the admin UI, Swagger UI renders central's OpenAPI
// document under the page's CSP (no inline script), with no console error, and "Try it out" calls work.
import { type Browser } from 'playwright-core';
import { launchChromium, logInThroughUi, openUi } from '../support/browser.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('API docs in the browser (Swagger UI, real central, Chromium)', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    central = await startTestCentral(db.url);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await central?.stop();
    await db?.drop();
  });

  it('renders every route group and reads a route live', async () => {
    const { context, page, console } = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(page, 'admin', ADMIN_PASSWORD);
    const response = await page.goto('/api/docs');
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByText('Switchyard central admin API').waitFor();
    for (const tag of ['rollouts', 'profiles', 'migration', 'certificates', 'agents'])
      await page.locator(`#operations-tag-${tag}`).waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(55);

    // Try it out: GET /api/settings/websocket with the browser's session.
    const op = page
      .locator('#operations-settings-SettingsController\\.get, [id^="operations-settings-"]')
      .first();
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const live = op.locator('.live-responses-table');
    await live.waitFor();
    expect(await live.innerText()).toMatch(/\b200\b/);
    console.assertClean();
    await context.close();
  });
});
