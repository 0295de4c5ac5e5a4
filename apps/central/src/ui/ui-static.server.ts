import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type NextFunction, type Request, type Response } from 'express';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { findUiFolder, isReservedPath, listUiFiles, type UiFile } from './ui-files.js';

/**
 * Serves the built admin UI (dist/ui) at `/` with an SPA fallback to index.html.
 *
 * Registered from onModuleInit, which Nest runs after the controllers' routes and before its 404
 * handler: every API route matches first, and reserved paths (/api, /metrics, /.well-known) fall
 * through to the API's own JSON 404 instead of an HTML page.
 */
@Injectable()
export class UiStaticServer implements OnModuleInit {
  private readonly logger = new Logger('ui');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  onModuleInit(): void {
    const root = this.config.uiDir ?? findUiFolder(import.meta.url);
    const files = root ? listUiFiles(root) : new Map<string, UiFile>();
    const index = files.get('/index.html');
    if (!index)
      this.logger.warn(`no admin UI in ${root ?? 'dist/ui'} (run npm run build); the API still works`);
    const app = this.adapterHost.httpAdapter.getInstance<{
      use(h: (req: Request, res: Response, next: NextFunction) => void): void;
    }>();
    app.use((req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || isReservedPath(req.path)) return next();
      const file = files.get(req.path);
      // Unknown paths without an extension are client-side routes (#/agents is a hash, but a reload of
      // a deep link must still load the app); a missing asset stays a 404.
      const target = file ?? (/\.[a-z0-9]+$/i.test(req.path) ? undefined : index);
      if (!target) return next();
      res.setHeader('Content-Type', target.contentType);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', target.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (target === index) {
        // The UI talks to its own origin only; nothing is loaded from elsewhere.
        res.setHeader(
          'Content-Security-Policy',
          "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
        );
        res.setHeader('X-Frame-Options', 'DENY');
      }
      res.sendFile(target.path, (error) => {
        if (error && !res.headersSent) next(error);
      });
    });
  }
}
