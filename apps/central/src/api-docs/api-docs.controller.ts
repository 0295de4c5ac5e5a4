import { Controller, Get, Param, Res } from '@nestjs/common';
import { type Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACME_CHALLENGE_PATH } from '../acme/acme-challenge.controller.js';
import { CSRF_COOKIE } from '../auth/session-cookie.js';
import { DomainError } from '../common/domain-error.js';
import { buildOpenApi } from './openapi-builder.js';
import { RouteDiscovery } from './route-discovery.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { openApiDocumentSchema } from '../../../../libs/api/api-docs.js';

const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const VERSION = switchyardVersion();

// The page loads no inline script (the CSP allows scripts from central only); Swagger UI's own styles
// are inline, hence 'unsafe-inline' for styles alone.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard API</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="api"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script></body></html>`;

// "Try it out" is a real call: writes carry the CSRF token from its cookie, as the UI does.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/docs/openapi.json',
  dom_id: '#api',
  requestInterceptor: (req) => {
    const m = document.cookie.match(/(?:^|; )${CSRF_COOKIE}=([^;]*)/);
    if (m && req.method !== 'GET') req.headers['X-CSRF-Token'] = decodeURIComponent(m[1]);
    return req;
  },
});`;

const ASSETS: Record<string, { type: string; body: () => string | Buffer }> = {
  'swagger-ui.css': { type: 'text/css', body: () => readFileSync(join(swaggerUi, 'swagger-ui.css')) },
  'swagger-ui-bundle.js': {
    type: 'text/javascript',
    body: () => readFileSync(join(swaggerUi, 'swagger-ui-bundle.js')),
  },
  'init.js': { type: 'text/javascript', body: () => INIT },
};

/** `/api/docs`: the admin API described as OpenAPI 3.1, and Swagger UI to read and try it (any role). */
@Controller('docs')
export class ApiDocsController {
  private document: Record<string, unknown> | undefined;

  constructor(private readonly discovery: RouteDiscovery) {}

  @Get()
  @ApiDoc({ produces: 'text/html' })
  page(@Res() res: Response): void {
    res
      .type('html')
      .set(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      )
      .send(PAGE);
  }

  @Get('openapi.json')
  @ApiDoc({ response: openApiDocumentSchema })
  openapi(): Record<string, unknown> {
    this.document ??= buildOpenApi(this.discovery.routes(outsideApi), VERSION);
    return this.document;
  }

  @Get('assets/:file')
  @ApiDoc({ produces: 'text/javascript' })
  asset(@Param('file') file: string, @Res() res: Response): void {
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new DomainError('api_docs_asset_not_found', `no asset ${file}`);
    res.type(asset.type).set('Cache-Control', 'private, max-age=3600').send(asset.body());
  }
}

/** Routes central serves outside `/api` (setGlobalPrefix's exclusions in central-app.ts). */
function outsideApi(relative: string): boolean {
  return relative === '/metrics' || relative.startsWith(`/${ACME_CHALLENGE_PATH}`);
}

/** Switchyard's version from its package.json, found walking up (from the sources or from dist/). */
function switchyardVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'switchyard' && pkg.version) return pkg.version;
  }
  return 'unknown';
}
