// @peculiar/x509 cost ~115 ms of every cold start (module load) although a central on an existing data
// directory makes no certificate at boot: it is now loaded at its first use (libs/pki/x509.loader.ts). A
// real central process with a module hook that reports every resolution of it: the first start of a fresh
// install loads it (its self-signed certificate: the hook sees it), the next start on the same data must
// not, and lint refuses a static import outside the loader.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CENTRAL_NODE_FLAGS } from '../../apps/central/src/runtime-flags.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { lintRules } from '../../apps/central/src/testing/lint-rules.js';
import { ADMIN_PASSWORD, seedSettings } from '../support/in-process-central.js';
import { freePorts } from '../support/ports.js';
import { startCentralProcess, type RunningProcess } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';

const LOADED = /^x509 module loaded: (.*)$/m;

/** Reports, on stderr, each resolution of @peculiar/x509 (acme-client's own copy included) and who asked. */
const HOOK = `
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (/\\/node_modules\\/@peculiar\\/x509\\//.test(resolved.url))
      process.stderr.write('x509 module loaded: ' + specifier + ' from ' + context.parentURL + '\\n');
    return resolved;
  },
});
`;

describe('central starts without loading @peculiar/x509 on an existing install', () => {
  let db: TestDatabase;
  const root = makeTempDir('sy-x509-lazy-');
  const hook = join(root, 'x509-hook.mjs');
  let env: Record<string, string>;
  let central: RunningProcess | undefined;

  beforeAll(async () => {
    writeFileSync(hook, HOOK);
    db = await createTestDatabase();
    const [http, plain, secure] = await freePorts(3);
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: plain, bindAddress: '127.0.0.1' },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: secure, bindAddress: '127.0.0.1' },
    });
    env = {
      SWITCHYARD_DATA_DIR: join(root, 'data'),
      SWITCHYARD_HTTP_PORT: String(http),
      DATABASE_URL: db.url,
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    };
  });
  afterEach(async () => {
    await central?.stop();
    central = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Starts central with the hook, waits until it runs (and a moment for the work right after), stops it. */
  async function start(): Promise<string> {
    central = startCentralProcess(env, [...CENTRAL_NODE_FLAGS, '--import', pathToFileURL(hook).href]);
    await central.waitForOutput(/Switchyard central is running/, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await central.stop()).toBe(0);
    return central.output;
  }

  it('loads it for the self-signed certificate of a fresh install, and not at the next start', async () => {
    const fresh = await start();
    expect(fresh).toMatch(/generated a self-signed server certificate/);
    expect(fresh).toMatch(LOADED); // the hook sees it: the check below can fail

    const again = await start();
    expect(again).not.toMatch(/generated a self-signed server certificate/);
    expect(LOADED.exec(again)?.[1]).toBeUndefined();
  }, 150_000);

  it('lint refuses a static import of @peculiar/x509 or acme-client outside their loaders (types are fine)', () => {
    const value = "import * as x509 from '@peculiar/x509';\nexport const name = x509.Name;\n";
    const type = "import type * as X509 from '@peculiar/x509';\nexport type Name = X509.Name;\n";
    const acme = "import acme from 'acme-client';\nexport const client = acme.Client;\n";
    expect(
      lintRules([
        ['libs/pki/import/some-reader.ts', value],
        ['apps/central/src/certificates/some-check.ts', value],
        ['apps/central/src/acme/acme-some.ts', acme],
        ['libs/pki/import/some-reader.ts', type],
        ['libs/keystore/testing/keystore.ts', value],
      ]),
    ).toEqual([
      ['@typescript-eslint/no-restricted-imports'],
      ['@typescript-eslint/no-restricted-imports'],
      ['@typescript-eslint/no-restricted-imports'],
      [],
      [],
    ]);
  });
});
