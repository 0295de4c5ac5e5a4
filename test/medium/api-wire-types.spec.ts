// The wire types of libs/api against a real central (ADR 48): every route /api/docs lists documents its
// answer, and real answers of a handful of routes parse with the schemas the controllers declare, field
// for field (a field central sends that the schema does not know fails too), so the server, the document
// and the UI's types cannot drift apart unnoticed.
import { type z } from 'zod';
import { acmeStatusSchema } from '../../libs/api/acme.js';
import { agentPackageListSchema } from '../../libs/api/agent-packages.js';
import {
  agentListSchema,
  agentSchema,
  enrollmentTokenListSchema,
  newEnrollmentTokenSchema,
} from '../../libs/api/agents.js';
import { diagnosticBundleListSchema } from '../../libs/api/diagnostics.js';
import { healthSchema, readySchema } from '../../libs/api/health.js';
import { rotationListSchema } from '../../libs/api/rotation.js';
import { meSchema, loginSessionListSchema } from '../../libs/api/auth.js';
import { auditListSchema } from '../../libs/api/audit.js';
import { serverCertificateSchema } from '../../libs/api/certificates.js';
import {
  exemptionListSchema,
  migrationStatusSchema,
  strandedPageAnswerSchema,
} from '../../libs/api/migration.js';
import { fleetOverviewSchema } from '../../libs/api/overview.js';
import {
  prepareResultSchema,
  profileDiffSchema,
  profileListSchema,
  profileSigningKeySchema,
  profileViewSchema,
  revisionListSchema,
  revisionViewSchema,
} from '../../libs/api/profiles.js';
import { rolloutDetailSchema, rolloutListSchema, rolloutPreviewSchema } from '../../libs/api/rollouts.js';
import { settingsVersionSchema } from '../../libs/api/settings.js';
import { nodeListenersListSchema } from '../../libs/api/listeners.js';
import { userListSchema } from '../../libs/api/users.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { RawAgent } from '../support/raw-agent.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

/**
 * Paths in `sent` that `parsed` lost: zod drops keys a schema does not name, so a key the server sends
 * and the schema lacks shows up here. Timestamps parse into Dates (leaves), records keep every key.
 */
function unknownKeys(sent: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed))
    return sent.flatMap((item, i) => unknownKeys(item, parsed[i], `${path}[${i}]`));
  if (sent === null || typeof sent !== 'object' || parsed === null || typeof parsed !== 'object') return [];
  if (parsed instanceof Date) return [];
  const kept = parsed as Record<string, unknown>;
  return Object.entries(sent as Record<string, unknown>).flatMap(([key, value]) =>
    key in kept ? unknownKeys(value, kept[key], `${path}.${key}`) : [`${path}.${key}`],
  );
}

/** The answer parses with the schema, and the schema knows every field of it. */
function expectWire(schema: z.ZodType, sent: unknown): void {
  const parsed = schema.safeParse(sent);
  if (!parsed.success) throw new Error(`answer does not match its schema: ${parsed.error.message}`);
  expect(unknownKeys(sent, parsed.data)).toEqual([]);
}

describe('libs/api wire types against a real central', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let agent: RawAgent | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
  });
  afterAll(async () => {
    agent?.socket.close();
    await c?.stop();
    await db?.drop();
  });

  it('documents the answer of every route in /api/docs (a schema, a file type, or no body)', async () => {
    const doc = await c.api.ok<OpenApi>('GET', '/api/docs/openapi.json');
    const undocumented: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const answer = op.responses['2XX'];
        const content = answer?.content && Object.values(answer.content)[0];
        if (!content?.schema && answer?.description !== 'done; no body')
          undocumented.push(`${method.toUpperCase()} ${path}`);
      }
    expect(undocumented).toEqual([]);
    const agents = doc.paths['/api/agents']!.get!.responses['2XX']!.content!['application/json']!.schema as {
      type: string;
      items: { properties: Record<string, { type?: unknown; format?: string }> };
    };
    expect(agents.type).toBe('array');
    // The JSON a client reads: timestamps are strings, not the Dates handlers return.
    expect(agents.items.properties.enrolledAt).toMatchObject({ type: 'string', format: 'date-time' });
    const zip = doc.paths['/api/profiles/{name}/revisions/{rev}/archive']!.get!.responses['2XX']!;
    expect(Object.keys(zip.content!)).toEqual(['application/zip']);
  });

  it('parses real answers of agents, profiles, rollouts, overview, migration and the rest', async () => {
    const token = await c.api.ok('POST', '/api/agents/enrollment-tokens', { expiresInMinutes: 30 });
    expectWire(newEnrollmentTokenSchema, token);
    agent = await RawAgent.connect({
      url: `ws://127.0.0.1:${c.ports.plain}/agent`,
      agentId: 'wire-1',
      secret: (token as { token: string }).token,
    });
    expectWire(agentListSchema, await c.api.ok('GET', '/api/agents'));
    expectWire(agentSchema, await c.api.ok('GET', '/api/agents/wire-1'));

    expectWire(profileViewSchema, await c.api.ok('POST', '/api/profiles', { name: 'wire' }));
    expectWire(prepareResultSchema, await c.api.ok('POST', '/api/profiles/wire/prepare'));
    expectWire(profileListSchema, await c.api.ok('GET', '/api/profiles'));
    expectWire(profileViewSchema, await c.api.ok('GET', '/api/profiles/wire'));

    const body = { profile: 'wire', revision: 1, targets: { agentIds: ['wire-1'] }, mode: 'synchronize' };
    expectWire(rolloutPreviewSchema, await c.api.ok('POST', '/api/rollouts/preview', body));
    const rollout = await c.api.ok<{ id: string; kind: string }>('POST', '/api/rollouts', body);
    expectWire(rolloutDetailSchema, rollout);
    expect(rollout.kind).toBe('profile');
    expectWire(rolloutListSchema, await c.api.ok('GET', '/api/rollouts'));
    expectWire(rolloutDetailSchema, await c.api.ok('GET', `/api/rollouts/${rollout.id}`));

    expectWire(fleetOverviewSchema, await c.api.ok('GET', '/api/overview'));
    expectWire(migrationStatusSchema, await c.api.ok('GET', '/api/migration'));
    expectWire(serverCertificateSchema, await c.api.ok('GET', '/api/certificates/server'));
    expectWire(settingsVersionSchema, await c.api.ok('GET', '/api/settings/websocket'));
    expectWire(nodeListenersListSchema, await c.api.ok('GET', '/api/listeners'));
    expectWire(meSchema, await c.api.ok('GET', '/api/auth/me'));
    expectWire(loginSessionListSchema, await c.api.ok('GET', '/api/auth/sessions'));
    expectWire(userListSchema, await c.api.ok('GET', '/api/users'));
    expectWire(auditListSchema, await c.api.ok('GET', '/api/audit'));
  });

  it('parses the other reads: tokens, revisions, diff, stranded, ACME, rotations, packages, health', async () => {
    const reads: Array<[z.ZodType, string]> = [
      [enrollmentTokenListSchema, '/api/agents/enrollment-tokens'],
      [revisionListSchema, '/api/profiles/wire/revisions'],
      [revisionViewSchema, '/api/profiles/wire/revisions/1'],
      [profileDiffSchema, '/api/profiles/wire/diff'],
      [profileSigningKeySchema, '/api/profile-signing-key'],
      [strandedPageAnswerSchema, '/api/migration/stranded'],
      [exemptionListSchema, '/api/migration/exemptions'],
      [acmeStatusSchema, '/api/certificates/acme'],
      [serverCertificateSchema, '/api/certificates/server/previous'],
      [rotationListSchema, '/api/certificates/rotations'],
      [agentPackageListSchema, '/api/agent-packages'],
      [diagnosticBundleListSchema, '/api/diagnostics'],
      [healthSchema, '/api/health'],
      [readySchema, '/api/ready'],
    ];
    for (const [schema, path] of reads) {
      const answer = await c.api.call('GET', path);
      // A read with nothing to show yet may answer 404 (no previous certificate): only answers are parsed.
      if (answer.status === 404) continue;
      expect(`${path} ${answer.status}`).toBe(`${path} 200`);
      expectWire(schema, answer.body);
    }
  });

  it('fails on drift: a field the schema does not know, or a wrong type', () => {
    const sent = { id: 'a', extra: 1, nested: [{ kept: 'x', dropped: true }] };
    expect(unknownKeys(sent, { id: 'a', nested: [{ kept: 'x' }] })).toEqual(['.extra', '.nested[0].dropped']);
    expect(() => expectWire(meSchema, { username: 'a', role: 'root', permissions: {} })).toThrow(
      /does not match its schema/,
    );
  });
});
