import { type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { type IncomingMessage } from 'node:http';
import { LiveUpgradeGuard } from './live-upgrade.guard.js';

type VerifyCallback = (ok: boolean, code?: number, message?: string) => void;

/**
 * Nest's WsAdapter on the admin HTTP server, with the session and Origin checked in ws's
 * `verifyClient`: a refused browser gets a plain HTTP 401/403 and no WebSocket is ever created.
 */
export class LiveWsAdapter extends WsAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    return super.create(port, {
      ...options,
      maxPayload: 4096, // the browser only sends tiny frames (or none)
      verifyClient: (info: { req: IncomingMessage }, done: VerifyCallback) => {
        this.app
          .get(LiveUpgradeGuard, { strict: false })
          .verify(info.req)
          .then((v) => (v.ok ? done(true) : done(false, v.status, v.reason)))
          .catch(() => done(false, 503, 'cannot check the session now'));
      },
    });
  }
}
