import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './processes.js';

/** Debian's chromium (installed by .ci/run), driven by playwright-core: no browser download. */
export const CHROMIUM_PATH = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';

/** The flags docs/design.md §11 lists for this machine: headless, no sandbox as root, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOTS_DIR = join(REPO_ROOT, 'docs', 'screenshots');

/** Builds dist/ui when a UI journey runs before `npm run build` did (central serves the UI from there). */
export function ensureUiBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'ui', 'index.html')))
    execFileSync(process.execPath, [join(REPO_ROOT, 'apps', 'ui', 'build.mjs')]);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** An HTTP answer a journey provokes on purpose (a 400 for a bad port): Chromium logs those as errors. */
export interface ExpectedHttpError {
  status: number;
  path: string;
}

/**
 * Every console error and uncaught exception of a page. A test ends with `assertClean()`, which fails
 * on anything but the HTTP refusals the journey asked for.
 */
export class ConsoleWatch {
  readonly problems: Array<{ text: string; url: string }> = [];
  private expected: ExpectedHttpError[] = [];

  constructor(page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.problems.push({ text: m.text(), url: m.location().url });
    });
    page.on('pageerror', (e) => this.problems.push({ text: `uncaught: ${e.message}`, url: '' }));
  }

  expect(...errors: ExpectedHttpError[]): void {
    this.expected.push(...errors);
  }

  unexpected(): string[] {
    return this.problems
      .filter(
        (p) =>
          !this.expected.some(
            (e) =>
              p.text.includes(`status of ${e.status}`) && new URL(p.url || 'http://x/').pathname === e.path,
          ),
      )
      .map((p) => `${p.text} ${p.url}`.trim());
  }

  assertClean(): void {
    const bad = this.unexpected();
    if (bad.length > 0) throw new Error(`browser console errors:\n${bad.join('\n')}`);
    this.problems.length = 0;
    this.expected = [];
  }
}

export interface UiSession {
  context: BrowserContext;
  page: Page;
  console: ConsoleWatch;
}

/** A fresh browser context (own cookies) on a laptop-sized window. */
export async function openUi(browser: Browser, baseUrl: string): Promise<UiSession> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  const watch = new ConsoleWatch(page);
  await page.goto('/');
  return { context, page, console: watch };
}

export async function logInThroughUi(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'System Administration' }).waitFor();
}

export async function openTab(page: Page, label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'System Administration' })
    .getByRole('link', { name: label })
    .click();
}

/** Saves docs/screenshots/<name>.png: the docs show what the current UI really looks like. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: false });
}
