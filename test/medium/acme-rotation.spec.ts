// Issue 14 point 3's last sentence against Debian pebble and real agent processes: an ACME certificate
// whose chain ends at a new anchor (pebble makes a new root at every start) is, with `newAnchor:
// rotate`, staged as a certificate rotation that advances by itself — trust of both anchors published
// by a rollout, the gate (both agents report the new root), activation, clean-up — every step audited
// as `system`; a renewal after pebble restarted (another new root) does the same; with `hold` the
// renewal is held for approval as before and nothing changes.
import { jest } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJksTruststore } from '../../libs/keystore/index.js';
import { AcmeClock } from '../../apps/central/src/acme/acme-clock.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { findPebble, startPebble, type RunningPebble } from '../support/pebble.js';
import { waitFor } from '../support/ports.js';
import { type RunningProcess, startTestAgent } from '../support/processes.js';
import { createTestDatabase, makeTempDir, type TestDatabase } from '../support/test-database.js';
import { presentedCertificate } from '../support/tls-probe.js';

const PEBBLE = findPebble();
if (!PEBBLE)
  console.warn(
    '\n*****************************************************************************************\n' +
      '*  SKIPPING the automatic ACME rotation tests: pebble is not installed (apt-get install pebble)  *\n' +
      '*****************************************************************************************\n',
  );

const DAY_MS = 86_400_000;
const AGENTS = ['acme-rot-1', 'acme-rot-2'];

interface Order {
  id: string;
  reason: 'requested' | 'renewal';
  status: string;
  newAnchor: 'rotate' | 'hold';
  rotationId: string | null;
  error: string | null;
  certificate: { fingerprintSha256: string } | null;
}
interface AcmeStatus {
  renewal: { newAnchor: string } | null;
  held: { orderId: string } | null;
  orders: Order[];
}
interface Rotation {
  id: string;
  phase: string;
  certificate: { fingerprintSha256: string; anchor: { sha256: string; subject: string } };
  automatic: { source: string; blocked: unknown } | null;
  steps: Array<{ id: string; state: string }>;
  history: Array<{ step: string; to: string; actor: string }>;
}
interface AgentRow {
  status: string;
  transport: string | null;
  trustAnchors: Array<{ sha256: string }> | null;
}
interface AuditEntry {
  actor: string;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

(PEBBLE ? describe : describe.skip)(
  'ACME with a new anchor rotates by itself (pebble, real agents, real TLS)',
  () => {
    let db: TestDatabase;
    let c: TestCentral;
    let pebble: RunningPebble;
    let temp: string;
    const agents: RunningProcess[] = [];

    const acme = () => c.api.ok<AcmeStatus>('GET', '/api/certificates/acme');
    const rotation = (id: string) => c.api.ok<Rotation>('GET', `/api/certificates/rotations/${id}`);
    const served = async () => (await presentedCertificate(c.ports.secure)).fingerprint256;
    const finished = (find: (orders: Order[]) => Order | undefined) =>
      waitFor(
        'the ACME order to finish',
        async () => {
          const o = find((await acme()).orders);
          return o && o.status !== 'processing' ? o : undefined;
        },
        60_000,
      );
    /** Follows the automatic rotation to its end; fails at once if it stops with a warning. */
    const completed = (id: string) =>
      waitFor(
        `automatic rotation ${id} to complete`,
        async () => {
          const r = await rotation(id);
          if (r.automatic?.blocked) {
            const rolloutId = /rollout ([0-9a-f-]{36})/.exec(JSON.stringify(r.automatic.blocked))?.[1];
            const rollout = rolloutId ? await c.api.ok('GET', `/api/rollouts/${rolloutId}`) : undefined;
            const logs = agents.map((a) => a.output.slice(-1500)).join('\n----\n');
            throw new Error(
              `blocked: ${JSON.stringify(r.automatic.blocked)} ${JSON.stringify(rollout)}\nagents:\n${logs}`,
            );
          }
          return r.phase === 'completed' ? r : undefined;
        },
        90_000,
        250,
      );
    const everyAgentTrusts = (anchorSha256: string) =>
      waitFor(
        'both agents online on wss, reporting only the new anchor',
        async () => {
          for (const id of AGENTS) {
            const a = await c.api.ok<AgentRow>('GET', `/api/agents/${id}`);
            if (a.status !== 'online' || a.transport !== 'secure') return undefined;
            if (a.trustAnchors?.map((t) => t.sha256).join() !== anchorSha256) return undefined;
          }
          return true;
        },
        60_000,
      );
    /** The renewal check sees a clock 2 days ahead (due) until a new renewal order exists. */
    const renewalDue = async () => {
      const before = new Set((await acme()).orders.map((o) => o.id));
      jest
        .spyOn(c.central.app.get(AcmeClock), 'now')
        .mockImplementation(() => new Date(Date.now() + 2 * DAY_MS));
      const order = await waitFor(
        'the renewal order',
        async () => (await acme()).orders.find((o) => o.reason === 'renewal' && !before.has(o.id)),
        30_000,
      );
      jest.restoreAllMocks();
      return finished((orders) => orders.find((o) => o.id === order.id));
    };

    beforeAll(async () => {
      process.env.SWITCHYARD_ACME_RENEW_CHECK_MS = '300';
      process.env.SWITCHYARD_ROTATION_AUTOPILOT_MS = '300';
      const t0 = Date.now();
      const mark = (what: string) => process.stderr.write(`[acme-rotation] ${what} +${Date.now() - t0} ms\n`);
      temp = makeTempDir('sy-acme-rotation-');
      db = await createTestDatabase();
      mark('database');
      c = await startTestCentral(db.url, { heartbeatMs: 2000, env: { SWITCHYARD_AGENT_HOSTS: 'localhost' } });
      await c.api.ok('PUT', '/api/settings/websocket', {
        secure: {
          ...DEFAULT_WEBSOCKET_SETTINGS.secure,
          enabled: true,
          port: c.ports.secure,
          bindAddress: '127.0.0.1',
        },
      });
      mark('central');
      pebble = await startPebble({ binary: PEBBLE!, httpPort: c.ports.http, validitySeconds: 10 * 86_400 });
      mark('pebble');
      // The profile the rotation revises keeps the agents on wss.
      const { draftVersion } = await c.api.ok<{ draftVersion: number }>('GET', '/api/profiles/default');
      await c.api.ok('PUT', '/api/profiles/default', {
        draftVersion,
        set: {
          'central.host': 'localhost',
          'central.websocket.port': String(c.ports.plain),
          'central.websocket.secure': 'true',
          'central.websocket.secure.port': String(c.ports.secure),
        },
      });
      // Two real agents on wss that trust central's self-signed certificate only.
      const selfSigned = new X509Certificate(await c.api.ok<string>('GET', '/api/certificates/server/chain'));
      const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
      for (const id of AGENTS) {
        const home = join(temp, id);
        mkdirSync(join(home, 'conf', 'security'), { recursive: true });
        writeFileSync(
          join(home, 'conf', 'security', 'truststore.jks'),
          writeJksTruststore([{ alias: 'central', der: selfSigned.raw }], 'changeit'),
        );
        writeFileSync(
          join(home, 'conf', 'agent.conf'),
          [
            'central.host=localhost',
            `central.websocket.port=${c.ports.plain}`,
            'central.websocket.secure=true',
            `central.websocket.secure.port=${c.ports.secure}`,
            `agent.id=${id}`,
            '',
          ].join('\n'),
        );
        agents.push(startTestAgent(home, { token, backoffMaxMs: 1000 }));
      }
      mark('agents started');
      await waitFor(
        'both agents online over wss with their trust anchor reported',
        async () => {
          for (const id of AGENTS) {
            const r = await c.api.call<AgentRow>('GET', `/api/agents/${id}`);
            if (r.status !== 200 || r.body.status !== 'online' || r.body.trustAnchors?.length !== 1)
              return undefined;
          }
          return true;
        },
        60_000,
      );
      mark('agents online');
    }, 300_000);

    afterAll(async () => {
      jest.restoreAllMocks();
      await Promise.all(agents.map((a) => a.stop()));
      await c?.stop();
      await pebble?.stop();
      await db?.drop();
      if (temp) rmSync(temp, { recursive: true, force: true });
      delete process.env.SWITCHYARD_ACME_RENEW_CHECK_MS;
      delete process.env.SWITCHYARD_ROTATION_AUTOPILOT_MS;
    });

    it('an order whose chain ends at a new anchor is rotated in by itself: published, gated, activated, cleaned up', async () => {
      const before = await served();
      const accepted = await c.api.call<Order>('POST', '/api/certificates/acme', {
        fqdn: 'localhost',
        directoryUrl: pebble.directoryUrl,
        directoryCaPem: pebble.listenerCaPem,
        contact: 'ops@example.com',
        renewDaysBefore: 9,
      });
      expect(accepted.status).toBe(202);
      expect(accepted.body.newAnchor).toBe('rotate'); // the default
      const order = await finished((orders) => orders.find((o) => o.id === accepted.body.id));
      expect(order).toMatchObject({ status: 'rotating', rotationId: expect.any(String) });
      expect(order.error).toMatch(/2 known agent\(s\) do not trust its anchor yet/);
      // Nothing is served before the gate passes.
      expect(await served()).toBe(before);
      const done = await completed(order.rotationId!);
      expect(done.automatic).toEqual({ source: 'acme', blocked: null });
      expect(done.history.map((h) => [h.to, h.actor])).toEqual([
        ['staged', 'system'],
        ['trust_published', 'system'],
        ['activated', 'system'],
        ['completed', 'system'],
      ]);
      expect(done.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
      await waitFor('the rotated certificate served', async () =>
        (await served()) === done.certificate.fingerprintSha256 ? true : undefined,
      );
      // Pebble serves leaf + intermediate: the intermediate is the anchor agents are given (ADR 30).
      const anchor = new X509Certificate(await pebble.intermediatePem());
      expect(done.certificate.anchor.subject).toBe(anchor.subject.replace(/\n/g, ', '));
      await everyAgentTrusts(done.certificate.anchor.sha256);
      // The order is valid, its certificate is the one served, and its renewal is planned.
      const status = await acme();
      expect(status.orders.find((o) => o.id === order.id)).toMatchObject({
        status: 'valid',
        certificate: { fingerprintSha256: done.certificate.fingerprintSha256 },
      });
      expect(status.renewal).toMatchObject({ newAnchor: 'rotate' });
      const audit = await c.api.ok<AuditEntry[]>('GET', '/api/audit?search=rotation&limit=100');
      expect(
        audit
          .filter((e) => e.action === 'certificate rotation advance' && e.outcome === 'success')
          .map((e) => e.actor),
      ).toEqual(['system', 'system', 'system']);
      const metrics = await (await fetch(new URL('/metrics', c.central.adminUrl))).text();
      expect(metrics).toMatch(/^switchyard_rotation_automatic_blocked 0$/m);
    }, 150_000);

    it('a renewal after the CA moved to a new root rotates by itself too', async () => {
      const before = await served();
      await pebble.restart(); // a new root: the renewal's chain ends at a new anchor
      const renewal = await renewalDue();
      expect(renewal).toMatchObject({ status: 'rotating', newAnchor: 'rotate' });
      const done = await completed(renewal.rotationId!);
      expect(done.certificate.fingerprintSha256).not.toBe(before);
      await waitFor('the renewed certificate served', async () =>
        (await served()) === done.certificate.fingerprintSha256 ? true : undefined,
      );
      await everyAgentTrusts(done.certificate.anchor.sha256);
      expect((await acme()).orders.find((o) => o.id === renewal.id)).toMatchObject({ status: 'valid' });
    }, 150_000);

    it('with newAnchor hold (set in the renewal settings) a renewal with a new anchor is held as before', async () => {
      const refused = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
        'PUT',
        '/api/certificates/acme/renewal',
        { newAnchor: 'force' },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.issues[0]).toMatchObject({
        field: 'newAnchor',
        message: expect.stringMatching(/"hold"/),
      });
      const set = await c.api.call<AcmeStatus>('PUT', '/api/certificates/acme/renewal', {
        newAnchor: 'hold',
      });
      expect(set.status).toBe(200);
      expect(set.body.renewal).toMatchObject({ newAnchor: 'hold' });

      const before = await served();
      const latestRotation = (await c.api.ok<Rotation>('GET', '/api/certificates/rotations/current')).id;
      await pebble.restart();
      const renewal = await renewalDue();
      expect(renewal).toMatchObject({ status: 'held', newAnchor: 'hold', rotationId: null });
      expect(renewal.error).toMatch(/would not trust the new certificate chain/);
      expect((await acme()).held).toMatchObject({ orderId: renewal.id });
      // Nothing changed: no rotation was staged, the served certificate is the same.
      expect((await c.api.ok<Rotation>('GET', '/api/certificates/rotations/current')).id).toBe(
        latestRotation,
      );
      expect(await served()).toBe(before);
    }, 120_000);
  },
);
