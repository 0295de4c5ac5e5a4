// Regression (issue 18, typed row mapping): TypeORM answers an UPDATE … RETURNING on PostgreSQL with
// `[rows, rowCount]`, so `rows.length` read 2 whatever the statement changed. A rotation step taken twice
// from the same phase (two operators, certmgr and a node) both "succeeded", and every ACME order logged
// "2 order(s) of a stopped node marked failed". Rows now go through database/typed-query.ts.
import { type DataSource } from 'typeorm';
import { AcmeRepository } from '../../apps/central/src/acme/acme.repository.js';
import { AuditRepository } from '../../apps/central/src/audit/audit.repository.js';
import { createDataSource, migrate } from '../../apps/central/src/database/database.js';
import { queryRows } from '../../apps/central/src/database/typed-query.js';
import { RotationRepository } from '../../apps/central/src/rotation/rotation.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('rows of UPDATE … RETURNING are counted, not the driver pair (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, 2);
    await ds.initialize();
    await migrate(ds, () => undefined);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('queryRows gives the rows of a SELECT, an INSERT and an UPDATE alike', async () => {
    expect(await queryRows<{ n: number }>(ds, 'SELECT 1 AS n')).toEqual([{ n: 1 }]);
    const none = await queryRows(
      ds,
      `UPDATE websocket_settings SET created_by = 'x' WHERE false RETURNING version`,
    );
    expect(none).toEqual([]);
  });

  it('a rotation step from a phase it already left is refused', async () => {
    const repo = new RotationRepository(ds);
    const id = await repo.insert({
      chainPem: 'chain',
      keyEncrypted: 'sealed',
      fingerprintSha256: 'f'.repeat(64),
      anchor: { sha256: 'a'.repeat(64), subject: 'CN=new' },
      notAfter: new Date(Date.now() + 86_400_000),
      fromCertificateId: null,
      fromAnchor: { sha256: 'b'.repeat(64), subject: 'CN=old' },
      createdBy: 'test',
      steps: [],
    });
    const step = {
      at: new Date().toISOString(),
      actor: 'test',
      step: 'advance' as const,
      from: 'staged' as const,
      to: 'trust_published' as const,
      reason: 'test',
      details: {},
    };
    expect(await repo.transition(id!, 'staged', 'trust_published', step)).toBe(true);
    expect(await repo.transition(id!, 'staged', 'trust_published', step)).toBe(false);
    expect((await repo.find(id!))?.steps).toHaveLength(1);
  });

  it('ACME orders of a stopped node are counted as they are marked', async () => {
    const repo = new AcmeRepository(ds);
    expect(await repo.failInterrupted()).toBe(0);
    await repo.createOrder({
      fqdn: 'central.example',
      directoryUrl: 'https://acme.example/dir',
      directoryCaPem: null,
      contact: 'mailto:ops@example.com',
      renewDaysBefore: 30,
      newAnchor: 'hold',
      reason: 'requested',
      requestedBy: 'test',
    });
    expect(await repo.failInterrupted()).toBe(1);
    expect(await repo.failInterrupted()).toBe(0);
    expect(await repo.supersedeHeld()).toBe(0);
  });

  it('an audit record "once" is written once per action, target and key', async () => {
    const repo = new AuditRepository(ds);
    const record = (threshold: number) => ({
      actor: 'system',
      address: null,
      action: 'certificate expiry warning',
      target: 'c'.repeat(64),
      outcome: 'success' as const,
      details: { threshold, daysLeft: threshold },
    });
    expect(await repo.insertOnce(record(7), 'threshold')).toBe(true);
    expect(await repo.insertOnce(record(7), 'threshold')).toBe(false);
    expect(await repo.insertOnce(record(0), 'threshold')).toBe(true);
    const both = await Promise.all([record(30), record(30)].map((r) => repo.insertOnce(r, 'threshold')));
    expect(both.sort()).toEqual([false, true]);
  });
});
