import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config-error.js';
import { ENVIRONMENT_DOCS } from './environment.docs.js';
import { REFERENCE_END, REFERENCE_START, renderEnvironmentReference } from './environment.reference.js';
import { ENVIRONMENT_GROUPS, ENVIRONMENT_SCHEMA, readEnvironment } from './environment.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const README = join(ROOT, 'README.md');

/** Every `SWITCHYARD_*` name mentioned in central's sources (tests and test helpers aside). */
function variablesNamedInCentral(dir = join(ROOT, 'apps/central/src')): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'testing') variablesNamedInCentral(path).forEach((n) => names.add(n));
    } else if (entry.endsWith('.ts') && !entry.endsWith('.spec.ts')) {
      for (const m of readFileSync(path, 'utf8').matchAll(/SWITCHYARD_[A-Z0-9_]+/g)) names.add(m[0]);
    }
  }
  return names;
}

/** Set by the primary for its workers, never by an operator. */
const INTERNAL = new Set(['SWITCHYARD_WORKER_INDEX']);

describe('the environment schema (every variable central reads, in one place)', () => {
  it('lists every SWITCHYARD_* variable central names, and each is documented', () => {
    const schema = new Set(Object.keys(ENVIRONMENT_SCHEMA.shape));
    const named = [...variablesNamedInCentral()].filter((n) => !INTERNAL.has(n));
    expect(named.filter((n) => !schema.has(n))).toEqual([]);
    expect(Object.keys(ENVIRONMENT_DOCS).sort()).toEqual([...schema].sort());
    const grouped = Object.values(ENVIRONMENT_GROUPS).flatMap((g) => Object.keys(g));
    expect(grouped.sort()).toEqual([...schema].sort());
  });

  it('applies the defaults when nothing is set, and treats empty values as unset', () => {
    const e = readEnvironment({ SWITCHYARD_ROLLOUT_TICK_MS: '' });
    expect(e.SWITCHYARD_ROLLOUT_TICK_MS).toBe(1000);
    expect(e.SWITCHYARD_WORKERS).toBe('auto');
    expect(e.SWITCHYARD_MIGRATION_WINDOW_HOURS).toBe(24);
  });

  it('names every wrong variable of every concern at once', () => {
    let error: unknown;
    try {
      readEnvironment({
        SWITCHYARD_HTTP_PORT: '0',
        SWITCHYARD_WORKERS: 'many',
        SWITCHYARD_ROLLOUT_TICK_MS: '10',
        SWITCHYARD_ACME_ORDER_TIMEOUT_MS: '1.5',
        SWITCHYARD_BUILD: 'sometimes',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
      'SWITCHYARD_ACME_ORDER_TIMEOUT_MS',
      'SWITCHYARD_BUILD',
      'SWITCHYARD_HTTP_PORT',
      'SWITCHYARD_ROLLOUT_TICK_MS',
      'SWITCHYARD_WORKERS',
    ]);
    expect((error as Error).message).toContain('SWITCHYARD_ROLLOUT_TICK_MS: must be between 50 and 60000');
  });
});

describe("README's configuration reference", () => {
  const readme = () => readFileSync(README, 'utf8');
  const section = (text: string) => {
    const start = text.indexOf(REFERENCE_START);
    const end = text.indexOf(REFERENCE_END);
    return start < 0 || end < start ? undefined : text.slice(start, end + REFERENCE_END.length);
  };
  // UPDATE_DOCS=1 rewrites the README's section from the schema instead of comparing.
  if (process.env.UPDATE_DOCS === '1') {
    const text = readme();
    const old = section(text);
    if (old) writeFileSync(README, text.replace(old, renderEnvironmentReference()));
  }

  it('is the rendering of the schema (UPDATE_DOCS=1 npx jest apps/central/src/config regenerates it)', () => {
    expect(section(readme())).toBe(renderEnvironmentReference());
  });
});
