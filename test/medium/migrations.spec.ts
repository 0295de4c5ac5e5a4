import { createDataSource, migrate } from '../../apps/central/src/database/database.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('migrations (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const tables = async (ds: ReturnType<typeof createDataSource>) =>
    (
      (await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      )) as Array<{ table_name: string }>
    )
      .map((r) => r.table_name)
      .filter((t) => t !== 'migrations');

  it('apply to an empty database, revert completely, and apply again', async () => {
    const ds = createDataSource(db.url);
    await ds.initialize();
    try {
      await migrate(ds, () => undefined);
      const applied = await tables(ds);
      // The foundation tables, plus whatever later migrations add.
      expect(applied).toEqual(
        expect.arrayContaining([
          'admin_sessions',
          'admin_users',
          'agents',
          'audit_log',
          'central_nodes',
          'enrollment_tokens',
          'server_certificates',
          'websocket_settings',
        ]),
      );
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
      expect(await tables(ds)).toEqual([]);
      await migrate(ds, () => undefined);
      expect(await tables(ds)).toEqual(applied);
      // a second run is a no-op
      expect(await ds.runMigrations()).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
