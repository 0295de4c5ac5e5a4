#!/usr/bin/env node
// Regenerates docs/screenshots/*.png: builds, then runs the Chromium journeys that take them (each
// screenshot shows a real state a test reached: a refusal, a rollout waiting for approval, …) one at a
// time, at a lower priority, and says which tab still has no laptop or phone picture.
//
//   npm run screenshots                   every journey (a few minutes on a quiet 2-core machine)
//   npm run screenshots -- ui-layout-390  only the journeys whose file name matches
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'docs', 'screenshots');
// The journeys that call screenshot() (test/support/browser.ts); the 390 px one takes phone-<tab>.png.
const JOURNEYS = ['ui-admin', 'ui-fleet', 'ui-users', 'ui-honest-screens', 'ui-overview', 'ui-layout-390'];

const only = process.argv.slice(2);
const journeys = only.length ? JOURNEYS.filter((j) => only.some((o) => j.includes(o))) : JOURNEYS;
if (journeys.length === 0) {
  console.error(`screenshots: no journey matches ${only.join(' ')} (journeys: ${JOURNEYS.join(', ')})`);
  process.exit(2);
}

const run = (command, args, env = {}) => {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`screenshots: ${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
};

const started = Date.now();
run('npm', ['run', 'build', '--silent']);
run(
  'nice',
  [
    '-n',
    '10',
    'npx',
    'jest',
    '--selectProjects',
    'e2e',
    '--maxWorkers=1',
    '--testPathPatterns',
    `(${journeys.join('|')})\\.spec\\.ts$`,
  ],
  { NODE_OPTIONS: '--experimental-vm-modules' },
);

const written = readdirSync(shots)
  .filter((f) => f.endsWith('.png') && statSync(join(shots, f)).mtimeMs >= started)
  .sort();
console.log(`\nscreenshots: ${written.length} written in docs/screenshots: ${written.join(', ')}`);

// Every tab should have a laptop picture (<tab>.png) and a phone one (phone-<tab>.png).
const tabs = [
  ...readFileSync(join(root, 'apps', 'ui', 'src', 'tabs.ts'), 'utf8').matchAll(/id: '([a-z-]+)'/g),
].map((m) => m[1]);
const have = new Set(readdirSync(shots));
const missing = tabs.flatMap((t) => [`${t}.png`, `phone-${t}.png`].filter((f) => !have.has(f)));
if (missing.length > 0) console.log(`screenshots: no picture yet of ${missing.join(', ')}`);
