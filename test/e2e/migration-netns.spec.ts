// secure_only seen from another host: a network namespace joined to this one by a veth pair (iproute2),
// created and removed by the test. From there, central's plain port answers before secure_only, refuses
// connections after it (while the secure port still answers), and answers again after the rollback —
// not a loopback alias, a different host address on a different interface.
import { execFile, execFileSync } from 'node:child_process';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, seedSettings, type TestCentral } from '../support/in-process-central.js';
import { answerProfileFrames } from '../support/profile-answers.js';
import { freePort, waitFor } from '../support/ports.js';
import { RawAgent } from '../support/raw-agent.js';
import { tcpAccepts } from '../support/tls-probe.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const tag = String(process.pid % 100_000);
const NS = `sy-netns-${tag}`;
const HOST_IF = `syv${tag}h`;
const NS_IF = `syv${tag}n`;
const subnet = `10.231.${process.pid % 250}`;
const HOST_ADDRESS = `${subnet}.1`;
const NS_ADDRESS = `${subnet}.2`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Why namespaces cannot be used here (no iproute2, not root, a container without CAP_SYS_ADMIN), or undefined. */
function namespacesUnavailable(): string | undefined {
  try {
    ip('netns', 'add', `${NS}-probe`);
    ip('netns', 'del', `${NS}-probe`);
    return undefined;
  } catch (error) {
    return ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim();
  }
}

/** True when a TCP connection from inside the namespace to host:port is accepted. */
function acceptsFromNamespace(host: string, port: number): Promise<boolean> {
  const probe = `const s=require('net').connect(${port},'${host}');s.setTimeout(3000);s.on('connect',()=>{s.destroy();process.exit(0)});s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(2));`;
  return new Promise((resolve) =>
    execFile('ip', ['netns', 'exec', NS, process.execPath, '-e', probe], (error) => resolve(!error)),
  );
}

const unavailable = namespacesUnavailable();
if (unavailable)
  console.warn(
    `SKIPPED migration-netns: network namespaces are not permitted here (${unavailable}); run as root with iproute2 and CAP_SYS_ADMIN to prove plain is unreachable from another host address`,
  );
const maybe = unavailable ? it.skip : it;

describe('secure_only from another host address (network namespace + veth pair)', () => {
  let db: TestDatabase;
  let c: TestCentral;
  let agent: RawAgent | undefined;
  const ports = { plain: 0, secure: 0 };

  beforeAll(async () => {
    if (unavailable) return;
    ip('netns', 'add', NS);
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${HOST_ADDRESS}/30`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('-n', NS, 'addr', 'add', `${NS_ADDRESS}/30`, 'dev', NS_IF);
    ip('-n', NS, 'link', 'set', NS_IF, 'up');
    ip('-n', NS, 'link', 'set', 'lo', 'up');

    db = await createTestDatabase();
    [ports.plain, ports.secure] = [await freePort(), await freePort()];
    // both listeners on every interface, as in production
    await seedSettings(db.url, {
      plain: { ...DEFAULT_WEBSOCKET_SETTINGS.plain, port: ports.plain, bindAddress: '0.0.0.0' },
      secure: { ...DEFAULT_WEBSOCKET_SETTINGS.secure, port: ports.secure, bindAddress: '0.0.0.0' },
    });
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
  }, 60_000);

  afterAll(async () => {
    agent?.socket.terminate();
    await c?.stop();
    await db?.drop();
    if (unavailable) return;
    // Deleting the namespace removes its end of the pair, and with it ours.
    for (const args of [
      ['netns', 'del', NS],
      ['link', 'del', HOST_IF],
    ]) {
      try {
        ip(...args);
      } catch {
        // already gone
      }
    }
  });

  maybe(
    'the plain port refuses the other host after secure_only and answers it again after the rollback',
    async () => {
      expect(await acceptsFromNamespace(HOST_ADDRESS, ports.plain)).toBe(true);

      expect(
        (await c.api.call('POST', '/api/migration/advance', { to: 'dual', reason: 'secure on' })).status,
      ).toBe(200);
      const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
        maxUses: 1,
      });
      const ca = (await c.api.call<string>('GET', '/api/certificates/server/chain')).body;
      agent = new RawAgent({
        url: `wss://127.0.0.1:${ports.secure}/agent`,
        agentId: 'branch-1',
        secret: token,
        ca,
      });
      answerProfileFrames(agent);
      await agent.opened;
      agent.hello('secure', { agentVersion: '1.0.0', capabilities: ['wss'] });
      await agent.welcome();
      expect((await c.api.call('POST', '/api/migration/advance', { reason: 'publish secure' })).status).toBe(
        200,
      );
      await waitFor(
        'secure_published',
        async () => (await c.api.ok<{ phase: string }>('GET', '/api/migration')).phase === 'secure_published',
      );
      const cut = await c.api.call<{ phase: string }>('POST', '/api/migration/advance', {
        reason: 'cut over',
      });
      expect(cut.status).toBe(200);
      expect(cut.body.phase).toBe('secure_only');

      expect(await acceptsFromNamespace(HOST_ADDRESS, ports.plain)).toBe(false);
      expect(await acceptsFromNamespace(HOST_ADDRESS, ports.secure)).toBe(true);
      expect(await tcpAccepts(ports.plain, '127.0.0.1')).toBe(true);

      expect(
        (await c.api.call('POST', '/api/migration/rollback', { to: 'dual', reason: 'back' })).status,
      ).toBe(200);
      await waitFor('plain reachable from the other host again', () =>
        acceptsFromNamespace(HOST_ADDRESS, ports.plain),
      );
    },
    60_000,
  );
});
