import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import {
  launchChromium,
  logInThroughUi,
  openTab,
  openUi,
  screenshot,
  type UiSession,
} from '../support/browser.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { REPO_ROOT } from '../support/processes.js';
import { ScriptedAgent } from '../support/scripted-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('e2e: the fleet tabs (Profiles, Rollouts, Migration) in Chromium', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;
  let ui: UiSession;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'ui', 'index.html')))
      execFileSync(process.execPath, [join(REPO_ROOT, 'apps', 'ui', 'build.mjs')]);
    db = await createTestDatabase();
    central = await startTestCentral(db.url, { heartbeatMs: 1000 });
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(ui.page, 'admin', ADMIN_PASSWORD);
  }, 120_000);

  const agents: ScriptedAgent[] = [];

  afterAll(async () => {
    for (const a of agents) a.close();
    await browser?.close();
    await central?.stop();
    await db?.drop();
  });

  afterEach(() => ui.console.assertClean());

  it('copies a profile, refuses a bad key inline, changes it, prepares (again: unchanged), and diffs', async () => {
    const { page } = ui;
    ui.console.expect({ status: 400, path: '/api/profiles/branches' });
    await openTab(page, 'Profiles');
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
    await page.getByRole('button', { name: 'Copy default' }).click();
    const dialog = page.getByRole('dialog', { name: 'Copy default' });
    await dialog.getByLabel('New profile name').fill('branches');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('heading', { name: 'Profile branches' }).waitFor();
    expect(await page.getByTestId('latest-revision').innerText()).toBe('none yet');

    await page.getByRole('button', { name: 'Prepare revision' }).click();
    await page.getByText(/^Prepared revision 1 /).waitFor();

    // A value the agent would refuse: named at its field, nothing stored.
    await page.getByLabel('central.websocket.port').fill('70000');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.locator('#conf-central-websocket-port-issue').waitFor();
    expect(await page.locator('#conf-central-websocket-port').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'profiles-invalid-key');

    await page.getByLabel('central.websocket.port').fill('8788');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText(/Saved the draft \(version \d+\): central.websocket.port/).waitFor();
    expect(await page.getByTestId('draft-changed').innerText()).toBe('changed since the latest revision');
    const pending = page.getByRole('table', { name: 'Differences from r1 to draft' });
    await pending
      .locator('[data-diff-key="central.websocket.port"] .diff-new')
      .filter({ hasText: '8788' })
      .waitFor();

    await page.getByRole('button', { name: 'Prepare revision' }).click();
    await page.getByText(/^Prepared revision 2 /).waitFor();
    await page.getByRole('button', { name: 'Prepare revision' }).click();
    await page.getByText('Unchanged, revision 2', { exact: false }).waitFor();

    await page.getByLabel('Compare from').selectOption('1');
    await page.getByLabel('Compare to').selectOption('2');
    await page.getByRole('button', { name: 'Compare' }).click();
    const diff = page.getByRole('table', { name: 'Differences from r1 to r2' });
    const row = diff.locator('[data-diff-key="central.websocket.port"]');
    await row.waitFor();
    expect(await row.locator('.diff-new').innerText()).toBe('8788');
    expect((await row.locator('.diff-old').innerText()).trim()).not.toBe('8788');
    expect(await page.locator('tr[data-revision]').count()).toBe(2);
    expect(await page.getByRole('link', { name: 'Download r2' }).getAttribute('href')).toBe(
      '/api/profiles/branches/revisions/2/archive',
    );
    await screenshot(page, 'profiles-diff');
    await openTab(page, 'Profiles');
    await page.locator('tr[data-profile="branches"] [data-col="latest"]').filter({ hasText: 'r2' }).waitFor();
    await screenshot(page, 'profiles');
  });

  it('starts a rollout to real agents in two waves, approves the second, and watches it reach 100 % live', async () => {
    const { page } = ui;
    const { token } = await central.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    const url = `ws://127.0.0.1:${central.ports.plain}/agent`;
    for (let i = 1; i <= 4; i++) {
      const agent = new ScriptedAgent(`store-${i}`, 700 * i);
      await agent.connect(url, token);
      agents.push(agent);
    }
    await openTab(page, 'Rollouts');
    await page.getByRole('heading', { name: 'Rollouts' }).waitFor();
    // Anything that reloads the page would drop this marker: the progress must arrive over the live socket.
    await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
    await page.getByRole('button', { name: 'New rollout…' }).click();
    await page.getByLabel('Profile').selectOption('branches');
    await page.getByLabel('Revision').selectOption('2');
    await page.getByRole('radio', { name: 'Agent ids' }).check();
    await page.getByLabel('Agent ids to target').fill('store-1, store-2, store-3, store-4');
    await page.getByRole('radio', { name: 'Sizes' }).check();
    await page.getByLabel('Wave sizes').fill('2, 2');
    await page.getByLabel('Pause for approval between waves').check();
    await screenshot(page, 'rollouts-new');
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.getByRole('heading', { name: 'Rollout of branches r2' }).waitFor();

    const wave1 = page.getByRole('progressbar', { name: 'Wave 1' });
    await page
      .locator('[data-testid="rollout-state"] [data-state="awaiting_approval"]')
      .waitFor({ timeout: 20_000 });
    expect(await wave1.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByRole('progressbar', { name: 'Overall' }).getAttribute('aria-valuenow')).toBe('50');
    await screenshot(page, 'rollouts-awaiting-approval');
    await page.getByRole('button', { name: 'Approve next wave' }).click();
    const overall = page.getByRole('progressbar', { name: 'Overall' });
    await page
      .locator('[data-testid="progress-Overall"]')
      .filter({ hasText: /^100 %/ })
      .waitFor({ timeout: 20_000 });
    expect(await overall.getAttribute('aria-valuenow')).toBe('100');
    await page.locator('[data-testid="rollout-state"] [data-state="completed"]').waitFor({ timeout: 10_000 });
    for (let i = 1; i <= 4; i++)
      await page.locator(`tr[data-rollout-agent="store-${i}"] [data-state="applied"]`).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await screenshot(page, 'rollouts');
  });
});
