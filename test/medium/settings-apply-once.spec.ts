// A settings change takes one path on every node: the node that made it applies it once (its own
// NOTIFY echo is a no-op), and every other node applies it once when the NOTIFY arrives.
import { jest } from '@jest/globals';
import { ListenerManager } from '../../apps/central/src/listeners/listener-manager.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { waitFor } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('WebSocket settings: a PUT applies once per node (real PostgreSQL, two nodes)', () => {
  let db: TestDatabase;
  let a: TestCentral;
  let b: TestCentral;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestCentral(db.url);
    b = await startTestCentral(db.url, { dataDir: a.dataDir }); // same installation, second node
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  it('applies on the node that changed it once, and once on the other node', async () => {
    const applyA = jest.spyOn(a.central.app.get(ListenerManager), 'apply');
    const applyB = jest.spyOn(b.central.app.get(ListenerManager), 'apply');
    const before = await a.api.ok<{ version: number; value: { plain: { localhostFallback: boolean } } }>(
      'GET',
      '/api/settings/websocket',
    );
    await a.api.ok('PUT', '/api/settings/websocket', {
      plain: { localhostFallback: !before.value.plain.localhostFallback },
    });
    await waitFor('the other node to apply', async () => applyB.mock.calls.length >= 1, 5000, 20);
    // Give a late echo every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(applyA).toHaveBeenCalledTimes(1);
    expect(applyB).toHaveBeenCalledTimes(1);
    const [settingsB] = applyB.mock.calls[0]!;
    expect(settingsB.plain.localhostFallback).toBe(!before.value.plain.localhostFallback);
  });
});
