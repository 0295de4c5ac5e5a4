import { z } from 'zod';
import { type Role } from '../common/roles.js';
import { type ApiDocMeta } from '../common/api-doc.decorator.js';
import { errorBodySchema } from './error-schema.js';

/** One HTTP route of central, as discovered from its controllers. */
export interface ApiRoute {
  method: string;
  /** Full path with Nest parameters (`/api/rollouts/:id`). */
  path: string;
  /** Controller class and handler names, for operation ids. */
  controller: string;
  handler: string;
  doc: ApiDocMeta | undefined;
  public: boolean;
  roles: readonly Role[];
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The OpenAPI 3.1 document of central's admin API: every route with its parameters, the JSON Schema of
 * the body or query it validates and of the answer it gives (from the same zod schemas, libs/api), who
 * may call it, and how to authenticate (session cookie, plus the CSRF header on writes).
 */
export function buildOpenApi(routes: ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard central admin API',
      version,
      description:
        'Log in with POST /api/auth/login (session cookie `switchyard_session`). Every write also sends ' +
        'the `switchyard_csrf` cookie value in the `X-CSRF-Token` header. Refusals answer ' +
        '`{ error, code, message, ...details }` (schema `ApiError`): `error` is the category, `code` the ' +
        'precise refusal; a 400 names every bad field in `issues`.',
    },
    paths,
    components: {
      schemas: { ApiError: errorBodySchema() },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'switchyard_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      },
    },
  };
}

function operation(route: ApiRoute): Record<string, unknown> {
  const write = !READS.has(route.method.toUpperCase());
  const doc = route.doc ?? {};
  const op: Record<string, unknown> = {
    operationId: `${route.controller.replace(/Controller$/, '')}.${route.handler}`,
    summary: doc.summary ?? words(route.handler),
    tags: [route.path.split('/')[2] ?? 'api'],
    description: route.public ? 'No login needed.' : `Roles: ${route.roles.join(', ')}.`,
    security: route.public ? [] : write ? [{ session: [], csrf: [] }] : [{ session: [] }],
    'x-roles': route.public ? [] : route.roles,
  };
  const parameters: Array<Record<string, unknown>> = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(
    (m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }),
  );
  if (doc.query) parameters.push(...queryParameters(doc.query));
  if (parameters.length > 0) op.parameters = parameters;
  if (doc.upload) {
    const fields = doc.body ? jsonSchema(doc.body) : { type: 'object', properties: {} };
    const properties = {
      ...(fields.properties as object),
      [doc.upload]: { type: 'string', format: 'binary' },
    };
    op.requestBody = {
      required: true,
      content: { 'multipart/form-data': { schema: { ...fields, properties, required: [doc.upload] } } },
    };
  } else if (doc.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } };
  }
  op.responses = {
    '2XX': answer(doc),
    ...(doc.body || doc.query || parameters.length > 0 ? { 400: { description: 'invalid input' } } : {}),
    ...(route.public ? {} : { 401: { description: 'not logged in' }, 403: { description: 'role too low' } }),
  };
  return op;
}

/** The success answer: its JSON Schema (libs/api), a file, or nothing. */
function answer(doc: ApiDocMeta): Record<string, unknown> {
  if (doc.noContent) return { description: 'done; no body' };
  if (doc.produces)
    return {
      description: `done; the answer is a file (${doc.produces})`,
      content: { [doc.produces]: { schema: { type: 'string', format: 'binary' } } },
    };
  if (doc.response)
    return { description: 'done', content: { 'application/json': { schema: jsonSchema(doc.response) } } };
  return { description: 'done; the answer is JSON' };
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // `io: input`: what a client sends (before defaults and transforms), and for answers the JSON a client
  // reads (timestamps as strings, not the Dates handlers return); transforms cannot be described.
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest as Record<string, unknown>;
}

function queryParameters(schema: z.ZodType): Array<Record<string, unknown>> {
  const json = jsonSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
  }));
}

/** `retryFailed` → `Retry failed`. */
function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
