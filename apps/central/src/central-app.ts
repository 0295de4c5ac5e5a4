import 'reflect-metadata';
import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Express } from 'express';
import cookieParser from 'cookie-parser';
import { join } from 'node:path';
import { ACME_CHALLENGE_PATH } from './acme/acme-challenge.controller.js';
import { AppModule } from './app.module.js';
import { AuthService } from './auth/auth.service.js';
import { CertificatesService } from './certificates/certificates.service.js';
import { NodeIdentity } from './cluster/node-identity.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { QuietLogger } from './common/quiet-logger.js';
import { type CentralConfig } from './config/central-config.js';
import { SecretBox, loadOrCreateMasterKey } from './crypto/secret-box.js';
import { openDatabase, type Database } from './database/database.js';
import { NodeHeartbeat } from './listeners/node-heartbeat.js';
import { LiveWsAdapter } from './live/live-ws.adapter.js';
import { SettingsService } from './settings/settings.service.js';

export interface RunningCentral {
  app: INestApplication;
  node: NodeIdentity;
  database: Database;
  adminUrl: string;
  firstAdmin: { username: string; generatedPassword: string | undefined } | undefined;
  close(): Promise<void>;
}

/**
 * Boots one central node: database and migrations, Nest, first admin, certificate, listeners, admin HTTP.
 * `open` replaces opening the database, for a cluster worker that uses the primary's (ADR 33).
 */
export async function startCentral(
  config: CentralConfig,
  logger?: LoggerService,
  open: (log: (line: string) => void) => Promise<Database> = (log) => openDatabase(config, log),
): Promise<RunningCentral> {
  const log = new Logger('central');
  const secrets = new SecretBox(
    config.masterKey ?? loadOrCreateMasterKey(join(config.dataDir, 'master.key')),
  );
  const database = await open((line) => log.log(line));
  const node = new NodeIdentity(config.nodeName);
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(
      AppModule.create({ config, secrets, dataSource: database.dataSource, databaseUrl: database.url, node }),
      { logger: logger ?? new QuietLogger(), abortOnError: false },
    );
    // The CA fetches its challenge at the root; Prometheus scrapes /metrics there by convention.
    app.setGlobalPrefix('api', { exclude: [`${ACME_CHALLENGE_PATH}/:token`, 'metrics'] });
    app.use(cookieParser());
    // Bulk actions take up to 50,000 agent ids (ADR 40): about 1 MB of JSON, over Express's 100 kB default.
    (app as NestExpressApplication).useBodyParser('json', { limit: '4mb' });
    // Behind a reverse proxy the login limit and the audit log must see the client, not the proxy.
    if (config.trustedProxies.length > 0)
      (app.getHttpAdapter().getInstance() as Express).set('trust proxy', config.trustedProxies);
    app.useWebSocketAdapter(new LiveWsAdapter(app)); // the UI's live socket, checked at the upgrade
    app.useGlobalFilters(new HttpErrorFilter());
    await app.init();
    const firstAdmin = await app.get(AuthService).ensureFirstAdmin();
    await app.get(CertificatesService).ensureServerCertificate();
    await app.get(SettingsService).applyStored();
    await app.get(NodeHeartbeat).start();
    await app.listen(config.http.port, config.http.host);
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const running = app;
    let closed = false;
    return {
      app,
      node,
      database,
      adminUrl: `http://${host}:${config.http.port}/`,
      firstAdmin,
      close: async () => {
        if (closed) return;
        closed = true;
        await running.close();
        await database.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}
