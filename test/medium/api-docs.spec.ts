// /api/docs against a real central: the OpenAPI document is built from the running controllers, with
// the zod schemas they validate with and the roles the guard applies; Swagger UI is served to read it.
import { hasOperatorWords } from '../../apps/central/src/audit/audit-action-words.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface OpenApi {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
}

describe('/api/docs (OpenAPI from the controllers, real central)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let doc: OpenApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    doc = await c.api.ok<OpenApi>('GET', '/api/docs/openapi.json');
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('lists every admin route with its path parameters, and nothing outside /api', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/auth/login',
        'GET /api/settings/websocket',
        'POST /api/certificates/server/import',
        'GET /api/profiles/{name}/revisions/{rev}/archive',
        'POST /api/rollouts/{id}/retry-failed',
        'POST /api/migration/advance',
        'GET /api/docs/openapi.json',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(55);
    expect(routes.filter((r) => !r.includes(' /api/'))).toEqual([]);
    expect(routes.some((r) => r.includes('metrics') || r.includes('acme-challenge'))).toBe(false);
    const pause = doc.paths['/api/rollouts/{id}/pause']!.post!;
    expect(pause.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('has operator words for every write the audit log can name (a new route cannot stay a bare path)', () => {
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .map((m) => m.toUpperCase())
        .filter((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m))
        .map((m) => `${m} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    expect(writes).toEqual(
      expect.arrayContaining(['POST /api/agents/bulk/revoke', 'DELETE /api/users/:username']),
    );
    expect(writes.filter((w) => !hasOperatorWords(w))).toEqual([]);
  });

  it('describes every refusal body: the category in `error`, the domain code in `code` (ADR 49)', () => {
    interface ErrorSchema {
      required: string[];
      properties: { code: { enum: string[] } };
      'x-codes-by-domain': Record<string, Record<string, string>>;
      'x-status-by-category': Record<string, number>;
    }
    const schema = (doc as unknown as { components: { schemas: Record<string, ErrorSchema> } }).components
      .schemas.ApiError!;
    expect(schema.required).toEqual(['error', 'code', 'message']);
    expect(schema.properties.code.enum).toEqual(
      expect.arrayContaining(['rollout_not_paused', 'step_out_of_order']),
    );
    expect(schema['x-codes-by-domain'].rollouts.rollout_not_paused).toBe('conflict');
    expect(schema['x-status-by-category'].conflict).toBe(409);
  });

  it('describes bodies and queries with the schemas the handlers validate, and who may call', () => {
    const create = doc.paths['/api/rollouts']!.post!;
    const schema = (create.requestBody as { content: Record<string, { schema: Record<string, unknown> }> })
      .content['application/json']!.schema;
    expect(Object.keys(schema.properties as object)).toEqual(
      expect.arrayContaining(['profile', 'revision', 'targets', 'waves', 'mode']),
    );
    expect(create['x-roles']).toEqual(['operator', 'admin']);
    expect(create.security).toEqual([{ session: [], csrf: [] }]);

    expect(doc.paths['/api/users']!.post!['x-roles']).toEqual(['admin']);
    expect(doc.paths['/api/rollouts']!.get!['x-roles']).toEqual(['viewer', 'operator', 'admin']);
    const list = doc.paths['/api/agents']!.get!.parameters as Array<{ name: string; in: string }>;
    expect(list.every((p) => p.in === 'query')).toBe(true);
    expect(list.length).toBeGreaterThan(0);

    const login = doc.paths['/api/auth/login']!.post!;
    expect(login.security).toEqual([]);
    const upload = doc.paths['/api/certificates/server/import']!.post!.requestBody as {
      content: Record<string, unknown>;
    };
    expect(Object.keys(upload.content)).toEqual(['multipart/form-data']);
  });

  it('serves Swagger UI and its assets (only these files) to logged-in users only', async () => {
    const page = await c.api.call<string>('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/api/docs/assets/swagger-ui-bundle.js');
    const headers = await fetch(new URL('/api/docs', c.central.adminUrl)).then((r) => r.status);
    expect(headers).toBe(401);
    const bundle = await c.api.call<string>('GET', '/api/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const init = await c.api.call<string>('GET', '/api/docs/assets/init.js');
    expect(init.body).toContain("url: '/api/docs/openapi.json'");
    expect((await c.api.call('GET', '/api/docs/assets/..%2Fpackage.json')).status).toBe(404);
    expect((await c.api.call('GET', '/api/docs/assets/index.html')).status).toBe(404);
    expect((await fetch(new URL('/api/docs/openapi.json', c.central.adminUrl))).status).toBe(401);
  });
});
