// The overview page and the rollout form's preview in Chromium (issue 16 points 5 and 8): the overview is
// the landing page, its numbers follow agents connecting and leaving over the live channel (no reload),
// and the rollout form previews the targets and each wave's size, then starts exactly the waves it showed.
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
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('e2e: the overview page and the rollout preview (Chromium)', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;
  let ui: UiSession;
  let token: string;
  const agents = new Map<string, RawAgent>();
  const url = () => `ws://127.0.0.1:${central.ports.plain}/agent`;

  async function connect(id: string, groups: string[] = []): Promise<void> {
    const raw = new RawAgent({ url: url(), agentId: id, secret: token });
    await raw.opened;
    raw.hello('plain', { groups });
    await raw.welcome();
    agents.set(id, raw);
  }

  beforeAll(async () => {
    ensureUiBuilt();
    db = await createTestDatabase();
    central = await startTestCentral(db.url, { heartbeatMs: 1000 });
    ({ token } = await central.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 10,
    }));
    for (const id of ['shop-1', 'shop-2', 'shop-3']) await connect(id, ['north']);
    await central.api.ok('POST', '/api/profiles/default/copy', { name: 'stores' });
    await central.api.ok('POST', '/api/profiles/stores/prepare');
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
  }, 120_000);

  afterAll(async () => {
    for (const a of agents.values()) a.socket.close();
    await browser?.close();
    await central?.stop();
    await db?.drop();
  });

  afterEach(() => ui.console.assertClean());

  const online = () => ui.page.getByTestId('ov-status-online');

  it('lands on the overview after login, with the fleet counted', async () => {
    const { page } = ui;
    await logInThroughUi(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    const nav = page.getByRole('navigation', { name: 'System Administration' });
    expect(await nav.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    await online().filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('ov-transport-plain').innerText()).toBe('3');
    expect(await page.getByTestId('ov-certificate').innerText()).toMatch(/^\d+ days? left$/);
    await page.locator('.live-live').waitFor();
    await screenshot(page, 'overview');
  });

  it('follows agents connecting and leaving live, without a reload', async () => {
    const { page } = ui;
    await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
    await connect('shop-4');
    await online().filter({ hasText: /^4$/ }).waitFor({ timeout: 15_000 });
    const leaving = agents.get('shop-2')!;
    leaving.send({ type: 'goodbye', reason: 'test' });
    leaving.socket.close();
    agents.delete('shop-2');
    await online().filter({ hasText: /^3$/ }).waitFor({ timeout: 15_000 });
    await page.getByTestId('ov-status-offline').filter({ hasText: /^1$/ }).waitFor({ timeout: 5_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  });

  it('previews the targets and wave sizes, starts the waves it showed, and offers only what applies', async () => {
    const { page } = ui;
    await openTab(page, 'Rollouts');
    await page.getByRole('button', { name: 'New rollout…' }).click();
    await page.getByLabel('Profile').selectOption('stores');
    await page.getByLabel('Revision').selectOption('1');
    await page.getByLabel('Mode').selectOption('synchronize');
    await page.getByRole('radio', { name: 'Sizes' }).check();
    await page.getByLabel('Wave sizes').fill('1, 2');
    expect(await page.getByRole('radio', { name: 'Agents drawn at random' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Preview targets and waves' }).click();
    const targets = page.getByTestId('preview-targets');
    await targets.waitFor();
    expect(await targets.innerText()).toMatch(/^4 agent\(s\) targeted: shop-\d, shop-\d, shop-\d, shop-\d$/);
    expect(await page.getByTestId('preview-wave-1').innerText()).toMatch(/^1\b/);
    expect(await page.getByTestId('preview-wave-2').innerText()).toMatch(/^3\b/);
    const seedText = await page.getByTestId('rollout-preview').innerText();
    const seed = /seed (\d+)/.exec(seedText)?.[1];
    expect(seed).toBeDefined();
    const firstWave = (await page.locator('tr[data-wave="1"] td').nth(2).innerText()).trim();
    await page.getByTestId('rollout-preview').scrollIntoViewIfNeeded();
    await screenshot(page, 'rollouts-preview');

    // A change after the preview says so; previewing again with the same seed shows the same waves.
    await page.getByLabel('Wave sizes').fill('2, 2');
    await page.getByText('The form changed since this preview').waitFor();
    await page.getByLabel('Wave sizes').fill('1, 2');
    await page.getByText('The form changed since this preview').waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.getByRole('heading', { name: 'Rollout of stores r1' }).waitFor();
    expect(await page.getByTestId('rollout-waves').innerText()).toBe(
      `1 + 3 agents, drawn at random (seed ${seed})`,
    );
    const id = decodeURIComponent(page.url().split('#/rollouts/')[1]!);
    const detail = await central.api.ok<{ agents: Array<{ agentId: string; wave: number }> }>(
      'GET',
      `/api/rollouts/${id}`,
    );
    expect(detail.agents.filter((a) => a.wave === 1).map((a) => a.agentId)).toEqual([firstWave]);
    // Nothing failed: no "Retry failed"; a running rollout can be paused or cancelled.
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await page.getByRole('button', { name: 'Retry failed' }).count()).toBe(0);

    // The overview lists it under way, with its progress over all four targets.
    await openTab(page, 'Overview');
    const row = page.locator(`[data-rollout="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(/\(\d of 4\)$/);
    await central.api.ok('POST', `/api/rollouts/${id}/cancel`);
    await row.waitFor({ state: 'detached', timeout: 15_000 });
  });
});
