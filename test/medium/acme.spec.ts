import { jest } from '@jest/globals';
import { X509Certificate, createHash } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';
import { AcmeClock } from '../../apps/central/src/acme/acme-clock.js';
import { CertificatesService } from '../../apps/central/src/certificates/certificates.service.js';
import type { AuditEntry } from '../../libs/api/audit.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { findPebble, startPebble, type RunningPebble } from '../support/pebble.js';
import { freePort, waitFor } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { presentedCertificate } from '../support/tls-probe.js';
import { RawAgent } from '../support/raw-agent.js';

const PEBBLE = findPebble();
if (!PEBBLE) {
  console.warn(
    '\n' +
      '*****************************************************************************\n' +
      '*  SKIPPING the ACME tests: pebble is not installed (apt-get install pebble)  *\n' +
      '*****************************************************************************\n',
  );
}

const DAY_MS = 86_400_000;
const ACME_LOCK = 7_263_931_300; // the key in acme.repository.ts: a test connection holding it plays "another node"

interface Order {
  id: string;
  fqdn: string;
  reason: 'requested' | 'renewal';
  requestedBy: string;
  status: 'processing' | 'valid' | 'failed' | 'held';
  progress: string;
  error: string | null;
  errorDetail: string | null;
  certificate: { fingerprintSha256: string; notAfter: string } | null;
}
interface AcmeStatus {
  renewal: { fqdn: string; renewDaysBefore: number; certificateNotAfter: string; renewAt: string } | null;
  orders: Order[];
}
(PEBBLE ? describe : describe.skip)(
  'ACME http-01 against Debian pebble on loopback (real validation)',
  () => {
    let db: TestDatabase;
    let c: TestCentral;
    let pebble: RunningPebble;
    let unreachable: RunningPebble;
    let securePort: number;

    const order = (body: Record<string, unknown>) =>
      c.api.call<Order>('POST', '/api/certificates/acme', body);
    const finished = (id: string) =>
      waitFor(
        `ACME order ${id} to finish`,
        async () => {
          const o = await c.api.ok<Order>('GET', `/api/certificates/acme/orders/${id}`);
          return o.status === 'processing' ? undefined : o;
        },
        60_000,
      );
    const activeFingerprint = async () =>
      new X509Certificate(await c.api.ok<string>('GET', '/api/certificates/server/chain')).fingerprint256;
    const audit = () => c.api.ok<AuditEntry[]>('GET', '/api/audit?search=acme');
    const pebbleOrder = (extra: Record<string, unknown> = {}) => ({
      fqdn: 'localhost',
      directoryUrl: pebble.directoryUrl,
      directoryCaPem: pebble.listenerCaPem,
      contact: 'ops@example.com',
      ...extra,
    });

    beforeAll(async () => {
      // The renewal check runs every 300 ms here instead of hourly.
      process.env.SWITCHYARD_ACME_RENEW_CHECK_MS = '300';
      db = await createTestDatabase();
      c = await startTestCentral(db.url);
      // pebble validates http-01 on central's admin HTTP port (public CAs use port 80).
      [pebble, unreachable] = await Promise.all([
        startPebble({ binary: PEBBLE!, httpPort: c.ports.http, validitySeconds: 10 * 86_400 }),
        startPebble({ binary: PEBBLE!, httpPort: await freePort() }), // nothing listens there
      ]);
      const settings = await c.api.ok<{ value: { secure: { port: number } } }>(
        'PUT',
        '/api/settings/websocket',
        {
          secure: { enabled: true },
        },
      );
      securePort = settings.value.secure.port;
    }, 60_000);

    afterAll(async () => {
      jest.restoreAllMocks();
      await c?.stop();
      await pebble?.stop();
      await unreachable?.stop();
      await db?.drop();
      delete process.env.SWITCHYARD_ACME_RENEW_CHECK_MS;
    });

    it('refuses a bad request with 400 naming each field, and starts no order', async () => {
      const r = await c.api.call<{ issues: Array<{ field: string; message: string }> }>(
        'POST',
        '/api/certificates/acme',
        {
          fqdn: '*.example.com',
          directoryUrl: 'http://acme.example/dir',
          contact: 'ops',
          renewDaysBefore: 0,
          x: 1,
        },
      );
      expect(r.status).toBe(400);
      expect(r.body.issues.map((i) => i.field).sort()).toEqual(
        ['body', 'contact', 'directoryUrl', 'fqdn', 'renewDaysBefore'].sort(),
      );
      expect(r.body.issues.find((i) => i.field === 'fqdn')?.message).toMatch(/wildcard.*dns-01/);
      const missing = await c.api.call<{ issues: Array<{ field: string }> }>(
        'POST',
        '/api/certificates/acme',
        {},
      );
      expect(missing.body.issues.map((i) => i.field).sort()).toEqual(['contact', 'directoryUrl', 'fqdn']);
      expect((await c.api.ok<AcmeStatus>('GET', '/api/certificates/acme')).orders).toEqual([]);
    });

    it('answers http-01 at the root of the admin port without a session; unknown tokens are 404', async () => {
      const res = await fetch(new URL('/.well-known/acme-challenge/no-such-token', c.central.adminUrl));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_found' });
      // the rest of the ACME API still needs a session
      expect((await fetch(new URL('/api/certificates/acme', c.central.adminUrl))).status).toBe(401);
    });

    it('obtains the server certificate from pebble and swaps it live on the secure listener', async () => {
      const before = await activeFingerprint();
      const started = Date.now();
      const accepted = await order(pebbleOrder({ renewDaysBefore: 9 }));
      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ status: 'processing', fqdn: 'localhost', requestedBy: 'admin' });

      const done = await finished(accepted.body.id);
      console.log(`ACME order against pebble took ${Date.now() - started} ms`);
      expect(done).toMatchObject({ status: 'valid', progress: 'installed', error: null });

      // The active chain: a P-256 leaf for localhost issued by this pebble's intermediate.
      const chain = await c.api.ok<string>('GET', '/api/certificates/server/chain');
      const leaf = new X509Certificate(chain);
      const intermediate = new X509Certificate(await pebble.intermediatePem());
      expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
      expect(leaf.subjectAltName).toContain('DNS:localhost');
      expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(leaf.fingerprint256).not.toBe(before);
      expect(done.certificate?.fingerprintSha256).toBe(leaf.fingerprint256);

      // New handshakes see it, and a client that trusts only pebble's root verifies the whole chain.
      await waitFor('the secure listener to present the ACME certificate', async () =>
        (await presentedCertificate(securePort)).fingerprint256 === leaf.fingerprint256 ? true : undefined,
      );
      expect(await verifiedHandshake(securePort, await pebble.rootPem())).toBe(leaf.fingerprint256);

      const status = await c.api.ok<AcmeStatus>('GET', '/api/certificates/acme');
      expect(status.renewal).toMatchObject({ fqdn: 'localhost', renewDaysBefore: 9 });
      expect(new Date(status.renewal!.renewAt).getTime()).toBeCloseTo(
        new Date(status.renewal!.certificateNotAfter).getTime() - 9 * DAY_MS,
        -3,
      );
      expect(JSON.stringify(status)).not.toMatch(/PRIVATE KEY/);
      expect(await audit()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'admin',
            action: 'acme.order',
            outcome: 'success',
            target: 'localhost',
          }),
        ]),
      );
      // The account key is stored sealed under the master key.
      const accounts = await query<{ key_encrypted: string }>('SELECT key_encrypted FROM acme_accounts');
      expect(accounts).toHaveLength(1);
      expect(accounts[0].key_encrypted).toMatch(/^v1\./);
    }, 90_000);

    it('keeps the active certificate and says why when the CA cannot reach the challenge', async () => {
      const before = await activeFingerprint();
      const accepted = await order({
        ...pebbleOrder(),
        directoryUrl: unreachable.directoryUrl,
        directoryCaPem: unreachable.listenerCaPem,
      });
      expect(accepted.status).toBe(202);
      const done = await finished(accepted.body.id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(
        /^the ACME server could not reach http:\/\/localhost:\d+\/\.well-known\/acme-challenge\/[\w-]+: connection refused/,
      );
      expect(done.errorDetail).toMatch(/connection refused/);
      expect(await activeFingerprint()).toBe(before);
      expect((await presentedCertificate(securePort)).fingerprint256).toBe(before);
      expect(await audit()).toEqual(
        expect.arrayContaining([expect.objectContaining({ action: 'acme.order', outcome: 'failed' })]),
      );
    }, 90_000);

    it('says so when the ACME server’s HTTPS certificate is not trusted, and changes nothing', async () => {
      const before = await activeFingerprint();
      const accepted = await order({ ...pebbleOrder(), directoryCaPem: undefined });
      const done = await finished(accepted.body.id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(
        /HTTPS certificate of the ACME server 127\.0\.0\.1:\d+ is not trusted.*directoryCaPem/,
      );
      expect(await activeFingerprint()).toBe(before);
    }, 90_000);

    it('renews before expiry: not while not due, not while another node holds the lock, then once, as system', async () => {
      const first = await activeFingerprint();
      const renewals = async () =>
        (await c.api.ok<AcmeStatus>('GET', '/api/certificates/acme')).orders.filter(
          (o) => o.reason === 'renewal',
        );

      // 10 days left, renewal 9 days before expiry: several checks go by, nothing happens.
      await sleep(1200);
      expect(await renewals()).toEqual([]);

      // "Another node" is renewing (it holds the lock): this node must wait, and API orders are refused.
      const otherNode = new pg.Client({ connectionString: db.url });
      await otherNode.connect();
      try {
        await otherNode.query('SELECT pg_advisory_lock($1)', [ACME_LOCK]);

        // Two days later the certificate is due. The clock moves back once the new one is being
        // installed, so the fresh certificate is judged at the real time (and is not due).
        let moved = true;
        jest
          .spyOn(c.central.app.get(AcmeClock), 'now')
          .mockImplementation(() => (moved ? new Date(Date.now() + 2 * DAY_MS) : new Date()));
        const certificates = c.central.app.get(CertificatesService);
        const install = certificates.install.bind(certificates);
        jest.spyOn(certificates, 'install').mockImplementation(async (identity) => {
          moved = false;
          return install(identity);
        });

        await sleep(1000);
        expect(await renewals()).toEqual([]);
        const refused = await order(pebbleOrder());
        expect(refused.status).toBe(409);
        await otherNode.query('SELECT pg_advisory_unlock($1)', [ACME_LOCK]);
      } finally {
        await otherNode.end();
      }

      const renewed = await waitFor(
        'the scheduler to renew the certificate',
        async () => (await renewals()).find((o) => o.status !== 'processing'),
        60_000,
      );
      expect(renewed).toMatchObject({ status: 'valid', requestedBy: 'system', fqdn: 'localhost' });
      const second = await activeFingerprint();
      expect(second).not.toBe(first);
      expect(renewed.certificate?.fingerprintSha256).toBe(second);
      await waitFor('the secure listener to present the renewed certificate', async () =>
        (await presentedCertificate(securePort)).fingerprint256 === second ? true : undefined,
      );
      expect(await audit()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'system',
            action: 'acme.renew',
            outcome: 'success',
            target: 'localhost',
          }),
        ]),
      );

      // The renewed certificate is not due: the next checks leave it alone.
      await sleep(1200);
      expect(await renewals()).toHaveLength(1);
      expect(await activeFingerprint()).toBe(second);
    }, 120_000);

    it('newAnchor hold: holds a certificate from a new CA that would strand an agent, warns, and installs it once approved', async () => {
      jest.restoreAllMocks(); // the renewal test's spies (clock, install) must not shape this one
      const before = await activeFingerprint();
      // An agent on wss that trusts this pebble's root only (what it reported in hello).
      const root = new X509Certificate(await pebble.rootPem());
      const token = (await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {})).token;
      const agent = new RawAgent({
        url: `wss://localhost:${securePort}/agent`,
        agentId: 'acme-pinned',
        secret: token,
        ca: await pebble.rootPem(),
      });
      await agent.opened;
      agent.hello('secure', {
        trustAnchors: [
          {
            sha256: createHash('sha256').update(root.raw).digest('hex'),
            subject: root.subject.replace(/\n/g, ', '),
          },
        ],
      });
      await agent.welcome();
      // Another ACME CA (pebble makes a new root at every start): its chain leads to another anchor.
      const other = await startPebble({
        binary: PEBBLE!,
        httpPort: c.ports.http,
        validitySeconds: 10 * 86_400,
      });
      try {
        const accepted = await order({
          // Not due for renewal at once (10-day certificates): this test approves exactly one.
          ...pebbleOrder({ renewDaysBefore: 9, newAnchor: 'hold' }), // rotate: acme-rotation.spec.ts
          directoryUrl: other.directoryUrl,
          directoryCaPem: other.listenerCaPem,
        });
        expect(accepted.status).toBe(202);
        const held = await finished(accepted.body.id);
        expect(held).toMatchObject({ status: 'held', progress: 'waiting for approval' });
        expect(held.error).toMatch(/acme-pinned \(trusts only CN=Pebble Root CA/);
        // Nothing changed: the stored certificate and what a real handshake sees.
        expect(await activeFingerprint()).toBe(before);
        expect((await presentedCertificate(securePort)).fingerprint256).toBe(before);
        const status = await c.api.ok<AcmeStatus & { held: { orderId: string; message: string } | null }>(
          'GET',
          '/api/certificates/acme',
        );
        expect(status.held).toMatchObject({ orderId: held.id });
        const metrics = await (await fetch(new URL('/metrics', c.central.adminUrl))).text();
        expect(metrics).toMatch(/^switchyard_acme_held_orders 1$/m);
        expect(await audit()).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              action: 'acme.order',
              outcome: 'refused',
              details: expect.objectContaining({ held: true }),
            }),
          ]),
        );

        const approved = await c.api.call<{ order: Order; strandedAgents: Array<{ id: string }> }>(
          'POST',
          '/api/certificates/acme/renewal/approve',
        );
        expect(approved.status).toBe(200);
        expect(approved.body.order.status).toBe('valid');
        expect(approved.body.strandedAgents.map((a) => a.id)).toEqual(['acme-pinned']);
        const after = await activeFingerprint();
        expect(after).not.toBe(before);
        await waitFor('the approved certificate served', async () =>
          (await presentedCertificate(securePort)).fingerprint256 === after ? true : undefined,
        );
        expect(await verifiedHandshake(securePort, await other.rootPem())).toBe(after);
        expect((await c.api.call('POST', '/api/certificates/acme/renewal/approve')).status).toBe(404);
        expect(await (await fetch(new URL('/metrics', c.central.adminUrl))).text()).toMatch(
          /^switchyard_acme_held_orders 0$/m,
        );
      } finally {
        agent.socket.close();
        await other.stop();
      }
    }, 120_000);

    async function query<T>(sql: string): Promise<T[]> {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    }
  },
);

/** A handshake that must verify the chain against `rootPem` only; resolves with the leaf's fingerprint. */
function verifiedHandshake(port: number, rootPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: rootPem }, () => {
      const fingerprint = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fingerprint);
    });
    s.once('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
