import { join } from 'node:path';
import { type LoggerService } from '@nestjs/common';
import { startCentral, type RunningCentral } from '../../apps/central/src/central-app.js';
import { loadCentralConfig } from '../../apps/central/src/config/central-config.js';
import { createDataSource, migrate } from '../../apps/central/src/database/database.js';
import {
  DEFAULT_WEBSOCKET_SETTINGS,
  type WebSocketSettings,
} from '../../apps/central/src/settings/websocket-settings.js';
import { ApiClient } from './api-client.js';
import { freePorts } from './ports.js';
import { makeTempDir } from './test-database.js';

export const ADMIN_PASSWORD = 'test-admin-password-1';

export interface TestCentral {
  central: RunningCentral;
  api: ApiClient;
  ports: { http: number; plain: number; secure: number };
  dataDir: string;
  stop(): Promise<void>;
}

const silent: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  error: (m: unknown) => (process.env.SWITCHYARD_TEST_LOGS ? console.error(m) : undefined),
};

/** Seeds version 1 of the WebSocket settings so a test never touches the real default ports. */
export async function seedSettings(databaseUrl: string, settings: WebSocketSettings): Promise<void> {
  const ds = createDataSource(databaseUrl);
  await ds.initialize();
  try {
    await migrate(ds, () => undefined);
    await ds.query(
      `INSERT INTO websocket_settings (version, value, created_by) VALUES (1, $1, 'test') ON CONFLICT DO NOTHING`,
      [JSON.stringify(settings)],
    );
  } finally {
    await ds.destroy();
  }
}

/** Starts central in this process on a test database, with free ports and a logged-in API client. */
export async function startTestCentral(
  databaseUrl: string,
  opts: {
    heartbeatMs?: number;
    dataDir?: string;
    ports?: TestCentral['ports'];
    /** Extra SWITCHYARD_* variables, e.g. SWITCHYARD_AGENT_HOSTS. */
    env?: Record<string, string>;
    /** Receives central's log instead of the silent default (tests that check a log line). */
    logger?: LoggerService;
  } = {},
): Promise<TestCentral> {
  const [http, plain, secure] = opts.ports
    ? [opts.ports.http, opts.ports.plain, opts.ports.secure]
    : await freePorts(3);
  const dataDir = opts.dataDir ?? join(makeTempDir('sy-central-'), 'data');
  await seedSettings(databaseUrl, {
    plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: plain, bindAddress: '127.0.0.1' },
    secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: secure, bindAddress: '127.0.0.1' },
  });
  const config = loadCentralConfig({
    SWITCHYARD_HTTP_PORT: String(http),
    SWITCHYARD_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHYARD_HEARTBEAT_INTERVAL_MS: String(opts.heartbeatMs ?? 15_000),
    ...opts.env,
  });
  const central = await startCentral(config, opts.logger ?? silent);
  const api = new ApiClient(central.adminUrl);
  await api.login('admin', ADMIN_PASSWORD);
  return { central, api, ports: { http, plain, secure }, dataDir, stop: () => central.close() };
}
