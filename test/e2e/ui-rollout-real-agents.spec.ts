// The Rollouts tab driving real agent processes: agents report the groups of their own agent.conf, a
// rollout started in the browser targets one group, its agents receive the profile revision (download,
// signature check, staging, atomic conf/ swap) and the browser shows the rollout reach 100 % through the
// live socket, without a reload. The agents keep their own id and group (issue 16: groups from
// agent.conf → rollout to a group → the agent's own group and id kept after publish).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import {
  launchChromium,
  logInThroughUi,
  openTab,
  openUi,
  type UiSession,
  ensureUiBuilt,
} from '../support/browser.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { startAgentProcess, type RunningProcess } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const AGENTS = ['shop-1', 'shop-2', 'shop-3'];
/** The group each agent's own agent.conf names: the rollout targets `north`. */
const GROUP: Record<string, string> = { 'shop-1': 'north', 'shop-2': 'north', 'shop-3': 'south' };
const NORTH = AGENTS.filter((id) => GROUP[id] === 'north');

describe('e2e: a rollout started in the browser reaches real agents, progress shown live', () => {
  let db: TestDatabase;
  let central: TestCentral;
  let browser: Browser;
  let ui: UiSession;
  const agents: RunningProcess[] = [];
  const homes = new Map<string, string>();

  beforeAll(async () => {
    ensureUiBuilt();
    db = await createTestDatabase();
    central = await startTestCentral(db.url, { heartbeatMs: 1000 });
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(ui.page, 'admin', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await browser?.close();
    await central?.stop();
    await db?.drop();
  });

  afterEach(() => ui.console.assertClean());

  it('publishes a revision to the real agents of one reported group, progress live; they keep their id and group', async () => {
    const { api, ports } = central;
    const { token } = await api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    for (const id of AGENTS) {
      const home = makeTempDir('sy-ui-agent-');
      homes.set(id, home);
      mkdirSync(join(home, 'conf'), { recursive: true });
      writeFileSync(
        join(home, 'conf', 'agent.conf'),
        [
          'central.host=127.0.0.1',
          `central.websocket.port=${ports.plain}`,
          'central.websocket.secure=false',
          `agent.id=${id}`,
          `agent.group=${GROUP[id]}`,
          'agent.log.level=info',
          '',
        ].join('\n'),
      );
      agents.push(startAgentProcess(['--home', home, '--token', token, '--backoff-base-ms', '200']));
    }
    await waitFor(
      'three agents online',
      async () => {
        const rows = await Promise.all(
          AGENTS.map((id) => api.call<{ status: string }>('GET', `/api/agents/${id}`)),
        );
        return rows.every((r) => r.status === 200 && r.body.status === 'online');
      },
      60_000,
    );
    // A revision that keeps the connection (same host and port) and changes the log level.
    await api.ok('POST', '/api/profiles/default/copy', { name: 'shops' });
    const { draftVersion } = await api.ok<{ draftVersion: number }>('GET', '/api/profiles/shops');
    await api.ok('PUT', '/api/profiles/shops', {
      draftVersion,
      set: {
        'central.host': '127.0.0.1',
        'central.websocket.port': String(ports.plain),
        'agent.log.level': 'debug',
        // The profile says another group: each agent keeps its own (conf/agent.local.conf, ADR 37).
        'agent.group': 'everyone',
      },
    });
    const revision = await api.ok<{ revision: number; sha256: string }>(
      'POST',
      '/api/profiles/shops/prepare',
    );

    const { page } = ui;
    await openTab(page, 'Rollouts');
    await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
    await page.getByRole('button', { name: 'New rollout…' }).click();
    await page.getByLabel('Profile').selectOption('shops');
    await page.getByLabel('Revision').selectOption(String(revision.revision));
    // The groups come from the agents' own agent.conf (hello), not from an admin.
    await waitFor('the agents report their groups', async () => {
      const north = await api.ok<Array<{ id: string }>>('GET', '/api/agents?group=north');
      return (
        north
          .map((a) => a.id)
          .sort()
          .join(',') === NORTH.join(',')
      );
    });
    await page.getByRole('radio', { name: 'Groups' }).check();
    await page.getByLabel('Group names to target').fill('north');
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.getByRole('heading', { name: `Rollout of shops r${revision.revision}` }).waitFor();
    await page
      .locator('[data-testid="progress-Overall"]')
      .filter({ hasText: /^100 %/ })
      .waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="rollout-state"] [data-state="completed"]').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);

    // "applied" is true on the agents themselves: each runs the revision, with its own agent.id and group.
    for (const id of NORTH) {
      const home = homes.get(id)!;
      const status = JSON.parse(readFileSync(join(home, 'state', 'status.json'), 'utf8')) as {
        profile: { active: { sha256: string } | null };
      };
      expect(status.profile.active?.sha256).toBe(revision.sha256);
      const conf = readFileSync(join(home, 'conf', 'agent.conf'), 'utf8');
      expect(conf).toMatch(/^agent\.log\.level=debug$/m);
      expect(conf).toMatch(new RegExp(`^agent\\.id=${id}$`, 'm'));
      const local = readFileSync(join(home, 'conf', 'agent.local.conf'), 'utf8');
      expect(local).toMatch(new RegExp(`^agent\\.id=${id}$`, 'm'));
      expect(local).toMatch(/^agent\.group=north$/m);
    }
    // shop-3 (group south) was not targeted and runs no profile.
    const south = JSON.parse(readFileSync(join(homes.get('shop-3')!, 'state', 'status.json'), 'utf8')) as {
      profile: { active: unknown };
    };
    expect(south.profile.active).toBeNull();
  }, 180_000);
});
