// Issue 16 point 9: the admin UI on a 390 px phone screen (ADR 42). Every tab is visited through the
// menu button without the page scrolling sideways, with Live and Log out on screen; the skip link, focus
// going back to a dialog's opener, and the unsaved-changes question are checked in Chromium. Each tab's
// phone screenshot is written to docs/screenshots/phone-<tab>.png.
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TABS } from '../../apps/ui/src/tabs.js';
import { ConsoleWatch, launchChromium, screenshot, ensureUiBuilt } from '../support/browser.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { type RawAgent } from '../support/raw-agent.js';
import { welcomedRawAgents } from '../support/raw-fleet.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { tearDownUiJourney } from '../support/ui-journey.js';

const PHONE = { width: 390, height: 844 };

/**
 * What sticks out past the right edge of the screen without a scrolling box of its own, for the message.
 * Browser-side code is given as text: this file is type-checked without the DOM library.
 */
const OVERFLOW_PROBE = `(() => {
  const width = window.innerWidth;
  const scrollsItself = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const x = getComputedStyle(e).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  const culprits = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !scrollsItself(el))
    .slice(0, 6)
    .map((el) => '<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className ? '.' + el.className.trim().replace(/\\s+/g, '.') : '') +
      '> right=' + Math.round(el.getBoundingClientRect().right) +
      ' "' + (el.textContent || '').trim().slice(0, 40) + '"');
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, culprits };
})()`;

/** Whether the page's beforeunload handler would make the browser ask before closing or reloading. */
const UNLOAD_ASKS = `(() => {
  const e = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(e);
  return e.defaultPrevented;
})()`;

const focusedText = (page: Page) =>
  page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()');

async function overflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(OVERFLOW_PROBE);
}

async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const o = await overflow(page);
  if (o.scrollWidth > o.innerWidth)
    throw new Error(
      `${where}: the page scrolls sideways at ${o.innerWidth} px (scrollWidth ${o.scrollWidth}); sticking out: ${o.culprits.join('; ')}`,
    );
}

/** The element is shown and lies inside the 390 px screen. */
async function expectOnScreen(page: Page, name: string, locator: ReturnType<Page['locator']>) {
  await locator.waitFor({ state: 'visible' });
  const box = await locator.boundingBox();
  expect({ name, box: box && box.x >= 0 && box.x + box.width <= PHONE.width }).toEqual({ name, box: true });
}

describe('e2e: the admin UI at 390 px (Chromium)', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: ConsoleWatch;
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    ensureUiBuilt();
    db = await createTestDatabase();
    central = await startTestCentral(db.url, { heartbeatMs: 1000 });
    // A long id and a few groups: the widest cells an Agents row gets.
    agents.push(
      ...(await welcomedRawAgents(
        central,
        ['branch-0001-north-warehouse-receiving', 'branch-0002'].map((id) => ({
          id,
          hello: { groups: ['north', 'tills'] },
        })),
      )),
    );
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: central.central.adminUrl, viewport: PHONE });
    page = await context.newPage();
    watch = new ConsoleWatch(page);
    await page.goto('/');
    await expectNoSidewaysScroll(page, 'login page');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Menu' }).waitFor();
  }, 120_000);

  afterAll(() => tearDownUiJourney({ agents, browser, central, db }));

  afterEach(() => watch.assertClean());

  const nav = () => page.getByRole('navigation', { name: 'System Administration' });

  async function openThroughMenu(label: string): Promise<void> {
    const menu = page.getByRole('button', { name: 'Menu' });
    if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
    await expectOnScreen(page, `${label} in the menu`, nav().getByRole('link', { name: label }));
    await nav().getByRole('link', { name: label }).click();
    // The menu folds away once a tab is chosen.
    await nav().waitFor({ state: 'hidden' });
  }

  it('folds the tabs behind a menu button and shows Live and Log out in the top bar', async () => {
    expect(await nav().isVisible()).toBe(false);
    await expectOnScreen(page, 'Live badge', page.locator('header .live'));
    await expectOnScreen(page, 'Log out', page.getByRole('button', { name: 'Log out', exact: true }));
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav().waitFor({ state: 'visible' });
    // Escape closes it and puts focus back on the button.
    await page.keyboard.press('Escape');
    await nav().waitFor({ state: 'hidden' });
    expect(await focusedText(page)).toBe('☰ Menu');
  });

  it.each(TABS.map((t) => [t.id, t.label] as const))(
    'the %s tab fits the screen: no sideways page scroll, Live and Log out on screen',
    async (id, label) => {
      await openThroughMenu(label);
      await page.waitForURL(new RegExp(`#/${id}$`));
      await page.locator('#content :is(h1, h2)').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await expectNoSidewaysScroll(page, `${label} tab`);
      await expectOnScreen(page, 'Live badge', page.locator('header .live'));
      await expectOnScreen(page, 'Log out', page.getByRole('button', { name: 'Log out', exact: true }));
      await screenshot(page, `phone-${id}`);
    },
  );

  it('the widest detail screens fit too: a profile draft and an agent', async () => {
    await page.goto(`${central.central.adminUrl}#/profiles/default`);
    await page.getByRole('heading', { name: 'Profile default' }).waitFor();
    await page.getByLabel('central.host').waitFor();
    await expectNoSidewaysScroll(page, 'profile default');
    await screenshot(page, 'phone-profile-detail');
    await page.goto(`${central.central.adminUrl}#/agents/${agents[0]!.options.agentId}`);
    await page.getByRole('heading', { name: `Agent ${agents[0]!.options.agentId}` }).waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await expectNoSidewaysScroll(page, 'agent detail');
  });

  it('the skip link is the first stop of the keyboard and moves focus to the content', async () => {
    await page.goto(`${central.central.adminUrl}#/audit`);
    await page.reload(); // the keyboard starts from the top of a fresh page
    await page.locator('#content h1').waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await focusedText(page)).toBe('Skip to content');
    await expectOnScreen(page, 'skip link when focused', skip);
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('content');
    expect(page.url()).toMatch(/#\/audit$/); // the route did not change
  });

  it('a dialog gives focus back to the button that opened it', async () => {
    await openThroughMenu('Profiles');
    const opener = page.getByRole('button', { name: 'New profile…' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'New profile' });
    await dialog.waitFor();
    await expectNoSidewaysScroll(page, 'New profile dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await waitFor(
      'focus back on New profile…',
      async () => (await focusedText(page)) === 'New profile…',
      5_000,
    );

    // The Cancel button too, and the Copy dialog of a row.
    const copy = page.getByRole('button', { name: 'Copy default' });
    await copy.click();
    await page.getByRole('dialog', { name: 'Copy default' }).getByRole('button', { name: 'Cancel' }).click();
    await waitFor(
      'focus back on Copy default',
      async () =>
        (await page.evaluate<string | null>(`document.activeElement?.getAttribute('aria-label')`)) ===
        'Copy default',
      5_000,
    );
  });

  it("creates a profile with New profile: it points agents at central's listener ports, not 8787", async () => {
    await openThroughMenu('Profiles');
    await page.getByRole('button', { name: 'New profile…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New profile' });
    await dialog.getByLabel('Profile name').fill('phone-made');
    expect(await dialog.getByLabel('Start from').inputValue()).toBe('default');
    await dialog.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('heading', { name: 'Profile phone-made' }).waitFor();
    expect(await page.getByLabel('central.websocket.port', { exact: true }).inputValue()).toBe(
      String(central.ports.plain),
    );
    const made = await central.api.ok<{ agentConf: string }>('GET', '/api/profiles/phone-made');
    expect(made.agentConf).toContain(`\ncentral.websocket.secure.port=${central.ports.secure}\n`);
  });

  it('asks before leaving edited Parameters (tab switch and page close), and keeps the edits when told to stay', async () => {
    await openThroughMenu('Parameters');
    const port = page.getByLabel('Port', { exact: true }).first();
    await port.fill('18001');
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await openThroughMenu('Agents');
    await waitFor('the unsaved-changes question', async () => asked.length > 0, 5_000);
    expect(asked).toEqual([
      'confirm: You have changes that are not saved (Parameters). Leave and lose them?',
    ]);
    expect(page.url()).toMatch(/#\/parameters$/);
    await page.getByRole('heading', { name: 'WebSocket Server Settings' }).waitFor();
    expect(await port.inputValue()).toBe('18001');
    // Closing or reloading the page: the browser's own question (the handler cancels the unload).
    expect(await page.evaluate<boolean>(UNLOAD_ASKS)).toBe(true);

    page.once('dialog', (d) => void d.accept());
    await openThroughMenu('Agents');
    await page.waitForURL(/#\/agents$/);
    await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
    // Nothing was saved, and with no edit left nothing asks any more.
    const settings = await central.api.ok<{ value: { plain: { port: number } } }>(
      'GET',
      '/api/settings/websocket',
    );
    expect(settings.value.plain.port).toBe(central.ports.plain);
    expect(await page.evaluate<boolean>(UNLOAD_ASKS)).toBe(false);
  });

  it("asks before a profile's edited agent.conf is dropped by the switch to the raw view", async () => {
    await page.goto(`${central.central.adminUrl}#/profiles/default`);
    await page.getByLabel('central.host').fill('edited.example');
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Raw', exact: true }).click();
    await waitFor('the unsaved-changes question', async () => asked.length > 0, 5_000);
    expect(asked).toEqual([
      'You have changes that are not saved (agent.conf of default). Leave and lose them?',
    ]);
    expect(await page.getByLabel('central.host').inputValue()).toBe('edited.example');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Raw', exact: true }).click();
    await page.getByLabel('agent.conf (raw)').waitFor();
  });
});
