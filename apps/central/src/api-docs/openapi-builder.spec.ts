import { z } from 'zod';
import { timestamp } from '../../../../libs/api/wire.js';
import { buildOpenApi, type ApiRoute } from './openapi-builder.js';

const route = (path: string, doc: ApiRoute['doc'], method = 'GET'): ApiRoute => ({
  method,
  path,
  controller: 'ThingsController',
  handler: 'get',
  doc,
  public: false,
  roles: ['viewer', 'operator', 'admin'],
});

type Paths = Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>;

describe('buildOpenApi: answers (ADR 48)', () => {
  const doc = buildOpenApi(
    [
      route('/api/things/:id', {
        response: z.object({ id: z.string(), at: timestamp, gone: timestamp.nullable() }),
      }),
      route('/api/things/:id/file', { produces: 'application/zip' }),
      route('/api/things/:id', { noContent: true }, 'DELETE'),
      route('/api/old', undefined),
    ],
    '1.0.0',
  );
  const paths = doc.paths as Paths;

  it('describes a JSON answer from its schema, timestamps as the strings a client reads', () => {
    const answer = paths['/api/things/{id}']!.get!.responses['2XX']!;
    const schema = (answer.content as Record<string, { schema: Record<string, unknown> }>)[
      'application/json'
    ]!.schema as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(schema.properties.id).toEqual({ type: 'string' });
    expect(schema.properties.at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schema.properties.gone!.anyOf).toEqual(
      expect.arrayContaining([expect.objectContaining({ format: 'date-time' }), { type: 'null' }]),
    );
    expect(schema.required).toEqual(['id', 'at', 'gone']);
  });

  it('describes a file by its media type, a 204 as no body, an undocumented route as plain JSON', () => {
    expect(paths['/api/things/{id}/file']!.get!.responses['2XX']!.content).toEqual({
      'application/zip': { schema: { type: 'string', format: 'binary' } },
    });
    expect(paths['/api/things/{id}']!.delete!.responses['2XX']).toEqual({ description: 'done; no body' });
    expect(paths['/api/old']!.get!.responses['2XX']).toEqual({ description: 'done; the answer is JSON' });
  });
});
