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
import { waitFor } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Issue 16 point 4: users and sessions from the Users screen, in Chromium against a real central. */
describe('e2e: the Users screen in Chromium', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;
  let admin: UiSession;
  let olivia: UiSession | undefined;

  beforeAll(async () => {
    ensureUiBuilt();
    db = await createTestDatabase();
    central = await startTestCentral(db.url, { heartbeatMs: 1000 });
    browser = await launchChromium();
    admin = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(admin.page, 'admin', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await central?.stop();
    await db?.drop();
  });

  afterEach(() => {
    admin.console.assertClean();
    olivia?.console.assertClean();
  });

  it('creates a user from the Users screen (the password policy shown inline first) and that user logs in', async () => {
    const { page } = admin;
    admin.console.expect({ status: 400, path: '/api/users' });
    await openTab(page, 'Users');
    await page.getByRole('heading', { name: 'Users and sessions' }).waitFor();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('User name').fill('olivia');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByLabel('First password').fill('short');
    await form.getByRole('button', { name: 'Create user' }).click();
    expect(await page.locator('#new-password-issue').innerText()).toBe('must be at least 12 characters');
    expect(await central.api.ok<Array<{ username: string }>>('GET', '/api/users')).toHaveLength(1);

    await form.getByLabel('First password').fill('olivia-first-pass');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('Created olivia (operator).').waitFor();
    const row = page.locator('tr[data-user="olivia"]');
    expect(await row.getByLabel('Role of olivia').inputValue()).toBe('operator');
    expect(await row.locator('td').nth(2).innerText()).toBe('never');

    olivia = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(olivia.page, 'olivia', 'olivia-first-pass');
    expect(await olivia.page.locator('.who').innerText()).toContain('olivia');
    // Not an admin: the tab is her account only, with her own session and no user list.
    await openTab(olivia.page, 'My account');
    await olivia.page.getByRole('heading', { name: 'My account' }).waitFor();
    await olivia.page.getByText('this browser').waitFor();
    expect(await olivia.page.getByRole('table', { name: 'Users' }).count()).toBe(0);
    await screenshot(olivia.page, 'my-account');

    await page.reload();
    await row.locator('td').nth(2).filter({ hasText: /s ago/ }).waitFor();
  });

  it('changes her own password: a wrong current one is named under its field, the right one works', async () => {
    const page = olivia!.page;
    olivia!.console.expect({ status: 403, path: '/api/auth/password' });
    const form = page.getByRole('form', { name: 'Change my password' });
    await form.getByLabel('Current password').fill('not-my-password');
    await form.getByLabel('New password').fill('olivia-second-pass');
    await form.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('#current-password-issue').innerText()).toBe(
      'this is not your current password',
    );
    await form.getByLabel('Current password').fill('olivia-first-pass');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
  });

  it('keeps the last admin: demoting it is refused in words, nothing changes', async () => {
    const { page } = admin;
    admin.console.expect({ status: 409, path: '/api/users/admin/role' });
    await page.locator('tr[data-user="admin"]').getByLabel('Role of admin').selectOption('viewer');
    await page.getByText(/last admin \(make another user admin first\)/).waitFor();
    expect(await page.locator('tr[data-user="admin"]').getByLabel('Role of admin').inputValue()).toBe(
      'admin',
    );
  });

  it("shows everyone's sessions to the admin, who ends olivia's: her browser is logged out", async () => {
    const { page } = admin;
    await page.reload();
    const hers = page.locator('tr[data-session]').filter({ hasText: 'olivia' });
    await hers.first().waitFor();
    await screenshot(page, 'users');
    expect(await hers.count()).toBe(1);
    await hers.getByRole('button', { name: 'End session' }).click();
    await page.getByText(/Ended a session of olivia/).waitFor();
    // The table reloads after the message: wait for it rather than read it once.
    await waitFor(
      "olivia's session gone from the table",
      async () => (await page.locator('tr[data-session]').filter({ hasText: 'olivia' }).count()) === 0,
    );

    olivia!.console.expect({ status: 401, path: '/api/auth/sessions' }, { status: 401, path: '/api/users' });
    await olivia!.page.reload();
    await olivia!.page.getByRole('button', { name: 'Log in' }).waitFor();
    await logInThroughUi(olivia!.page, 'olivia', 'olivia-second-pass');
    await olivia!.context.close();
    olivia = undefined;
  });
});
