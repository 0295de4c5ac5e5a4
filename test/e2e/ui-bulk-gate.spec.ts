// Issue 16 "done when" (ADR 40), in Chromium: 1,000 offline agents stranded by the secure_only gate are
// exempted in one step from the Migration tab (counts by reason, paged table, bulk exempt with its count
// confirmed), then the migration reaches secure_only. The Agents tab selects all agents matching a
// filter and revokes them through the bulk bar. With 5,000 agents registered, the time each tab takes
// to become interactive is measured (docs/benchmarks.md).
import type pg from 'pg';
import { type Browser } from 'playwright-core';
import {
  launchChromium,
  logInThroughUi,
  openTab,
  openUi,
  type UiSession,
  ensureUiBuilt,
} from '../support/browser.js';
import {
  seedOfflineAgents,
  setMigrationPhase,
  startGateFleet,
  type GateFleet,
} from '../support/gate-fleet.js';
import { ADMIN_PASSWORD, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { TABS } from '../../apps/ui/src/tabs.js';

async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await call();
  return Date.now() - started;
}

describe('e2e: bulk exempt of 1,000 stranded agents, then secure_only (Chromium)', () => {
  let fleet: GateFleet;
  let central: TestCentral;
  let browser: Browser;
  let ui: UiSession;
  let sql: pg.Client;

  beforeAll(async () => {
    ensureUiBuilt();
    fleet = await startGateFleet();
    ({ central, sql } = fleet);
    // 1,000 retired stores on plain, last seen 31-60 days ago; 3,995 agents on secure seen an hour ago
    // (they pass the gate); 5 old tills on version 0.3.0 that the Agents tab revokes.
    await seedOfflineAgents(sql, {
      prefix: 'retired-',
      digits: 4,
      count: 1000,
      transport: 'plain',
      lastSeenAgo: 'make_interval(days => 31 + i % 30)',
    });
    await seedOfflineAgents(sql, {
      prefix: 'store-',
      digits: 4,
      count: 4000,
      transport: 'secure',
      lastSeenAgo: `interval '1 hour'`,
      version: `CASE WHEN i <= 5 THEN '0.3.0' ELSE '0.5.0' END`,
    });
    // This one starts where the gate matters.
    await setMigrationPhase(sql, 'secure_published');
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(ui.page, 'admin', ADMIN_PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  afterEach(() => ui.console.assertClean());

  it('every tab becomes interactive with 5,000 agents (timings printed for docs/benchmarks.md)', async () => {
    const { page } = ui;
    const timings: string[] = [];
    for (const tab of TABS) {
      const started = Date.now();
      await openTab(page, tab.label);
      await page.locator('#content h1').first().waitFor();
      // Interactive: the tab's heading is there and nothing in it still says "Loading".
      await waitFor(
        `${tab.label} loaded`,
        async () =>
          (await page
            .locator('#content')
            .getByText(/^\s*Loading/)
            .count()) === 0,
        20_000,
        25,
      );
      timings.push(`${tab.label} ${Date.now() - started} ms`);
    }
    console.log(`Tabs interactive with 5,000 agents: ${timings.join(', ')}`);
  }, 120_000);

  it('shows counts by reason and a paged table, exempts all 1,000 in one step, then reaches secure_only', async () => {
    const { page } = ui;
    // The server's share of the tab's time, measured alone (the machine may be shared).
    const apiMs = {
      status: await timed(() => central.api.ok('GET', '/api/migration?strandedLimit=0&exemptionsLimit=100')),
      stranded: await timed(() => central.api.ok('GET', '/api/migration/stranded?limit=50')),
    };
    const started = Date.now();
    await openTab(page, 'Migration');
    const table = page.getByRole('table', { name: 'Agents closing the plain listener would strand' });
    await table.locator('tr[data-stranded]').first().waitFor();
    const migrationMs = Date.now() - started;
    expect(await page.getByTestId('stranded-total').innerText()).toBe('1,000');
    expect(await page.locator('button[data-reason="offline"]').innerText()).toBe('1,000 offline');
    // One page, never all ids: the page stays short.
    expect(await table.locator('tr[data-stranded]').count()).toBe(50);
    const height = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
          .documentElement.scrollHeight,
    );
    expect(height).toBeLessThan(6000);
    await page.getByRole('button', { name: 'Next' }).click();
    await table.locator('tr[data-stranded="retired-0051"]').waitFor();

    // All of a filter: stranded and not seen for over 30 days.
    await page.getByLabel('Not seen for over (days)').fill('30');
    await page.getByLabel('Not seen for over (days)').press('Enter');
    await waitFor(
      'the filter applied',
      async () => (await page.getByTestId('stranded-matched').innerText()) === '1,000 agents',
    );
    await page.getByRole('button', { name: 'Exempt all 1,000…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Exempt stranded agents' });
    await dialog.getByLabel('Exemption reason (audited)').fill('stores closed in the autumn');
    await dialog.getByTestId('exempt-preview').getByText('1,000', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Exempt 1,000 agents' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Exempted 1,000 agents (stranded not seen for over 30 days).').waitFor();
    await waitFor(
      'nobody stranded',
      async () => (await page.getByTestId('stranded-total').innerText()) === '0',
    );
    await page.getByText('The first 100 of 1,000 exemptions', { exact: false }).waitFor();

    // The step is named by what it does (issue 16 point 7).
    await page.getByRole('button', { name: 'Close the plain listener…' }).click();
    const advance = page.getByRole('dialog', { name: 'Close the plain listener' });
    await advance.getByLabel('Reason (audited)').fill('every store left is on secure');
    await advance.getByRole('button', { name: 'Advance', exact: true }).click();
    await advance.waitFor({ state: 'detached' });
    await waitFor(
      'secure_only',
      async () => (await page.getByTestId('migration-phase').getAttribute('data-phase')) === 'secure_only',
    );
    const status = await central.api.ok<{ phase: string }>('GET', '/api/migration?strandedLimit=0');
    expect(status.phase).toBe('secure_only');
    console.log(`Migration tab interactive with 5,000 agents (1,000 stranded): ${migrationMs} ms`);
    console.log(`  of which the API: ${apiMs.status} ms status, ${apiMs.stranded} ms stranded page`);
  }, 60_000);

  it('selects all agents matching a filter in the Agents tab and revokes them after a confirmation with the count', async () => {
    const { page } = ui;
    const listMs = await timed(() => central.api.ok('GET', '/api/agents?limit=5000&offset=0'));
    const started = Date.now();
    await openTab(page, 'Agents');
    const count = page.getByTestId('agent-count');
    await waitFor('5000 agents listed', async () => (await count.innerText()) === '5000 agents', 20_000);
    await page.locator('tr[data-agent]').first().waitFor();
    const agentsMs = Date.now() - started;

    await page.getByLabel('Version').fill('0.3.0');
    await page.getByLabel('Version').press('Enter');
    await waitFor('5 of them', async () => (await count.innerText()) === '5 agents');
    await page.getByRole('button', { name: 'Select all 5 agents matching the filters' }).click();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    expect(await bar.getByTestId('bulk-scope').innerText()).toBe('all 5 agents matching the filters');
    await bar.getByRole('button', { name: 'Revoke…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke all 5 agents matching the filters' });
    await dialog.getByTestId('bulk-preview').waitFor();
    await dialog.getByRole('button', { name: 'Revoke 5 agents' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Revoked 5 of 5 agents.').waitFor();
    const revoked = await sql.query(`SELECT count(*)::int AS n FROM agents WHERE revoked_at IS NOT NULL`);
    expect((revoked.rows[0] as { n: number }).n).toBe(5);
    console.log(`Agents tab interactive with 5,000 agents: ${agentsMs} ms (the API's list: ${listMs} ms)`);
  }, 60_000);
});
