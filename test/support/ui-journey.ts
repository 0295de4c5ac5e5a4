// Test helper: the setup of a desktop UI journey in Chromium — the UI built, a test database and an
// in-process central, a few raw agents listed, an admin logged in — for one describe block, torn down
// after it; every test must leave the browser console clean.
import { type Browser } from 'playwright-core';
import { ensureUiBuilt, launchChromium, logInThroughUi, openUi, type UiSession } from './browser.js';
import { ADMIN_PASSWORD, startTestCentral, type TestCentral } from './in-process-central.js';
import { type RawAgent } from './raw-agent.js';
import { type RawFleetAgent, welcomedRawAgents } from './raw-fleet.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface UiJourney {
  readonly central: TestCentral;
  readonly ui: UiSession;
}

/** Closes what a UI journey opened, agents first; what never started is skipped. */
export async function tearDownUiJourney(o: {
  agents: readonly RawAgent[];
  browser: Browser | undefined;
  central: TestCentral | undefined;
  db: TestDatabase | undefined;
}): Promise<void> {
  for (const a of o.agents) a.socket.close();
  await o.browser?.close();
  await o.central?.stop();
  await o.db?.drop();
}

/** Registers beforeAll/afterAll/afterEach in the calling describe block; `agents` connect before the login. */
export function uiJourney(
  o: { agents: readonly RawFleetAgent[] } & Parameters<typeof startTestCentral>[1],
): UiJourney {
  const { agents: fleet, ...centralOptions } = o;
  let db: TestDatabase | undefined;
  let central: TestCentral | undefined;
  let browser: Browser | undefined;
  let ui: UiSession | undefined;
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    ensureUiBuilt();
    db = await createTestDatabase();
    central = await startTestCentral(db.url, centralOptions);
    agents.push(...(await welcomedRawAgents(central, fleet)));
    browser = await launchChromium();
    ui = await openUi(browser, central.central.adminUrl);
    await logInThroughUi(ui.page, 'admin', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(() => tearDownUiJourney({ agents, browser, central, db }));

  afterEach(() => ui?.console.assertClean());

  const set = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the UI journey is set up in beforeAll');
    return value;
  };
  return {
    get central() {
      return set(central);
    },
    get ui() {
      return set(ui);
    },
  };
}
