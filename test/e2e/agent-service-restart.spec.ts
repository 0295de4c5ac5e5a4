// Issue 17 point 5 under a service manager (ADR 45): the packaged systemd unit is checked with
// `systemd-analyze verify`, and its restart contract is exercised for real. There is no systemd as
// PID 1 in this container, so a small supervisor (test/support/unit-supervisor.ts) does what the unit
// says — ExecStart, Environment=, a fresh INVOCATION_ID per start, Restart=on-failure,
// RestartPreventExitStatus=2 3, RestartForceExitStatus=10 as systemd decides them — around the real
// launcher of an unpacked package: an upgrade from central makes the agent exit with 10, the supervisor
// starts the launcher again, and it comes back on the new version (on trial, then kept).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageKey, trustPackageKey } from '../support/agent-packages.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { explainOnTimeout, waitFor } from '../support/ports.js';
import { REPO_ROOT } from '../support/processes.js';
import {
  buildAgentPackages,
  builtPackageFiles,
  pointAgentConf,
  targetNode,
} from '../support/packaged-agents.js';
import { parseServiceUnit, shallRestart, UnitSupervisor } from '../support/unit-supervisor.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const UNIT = join(REPO_ROOT, 'apps', 'agent', 'packaging', 'files', 'switchyard-agent.service');
const A = '0.9.0';
const B = '1.0.0';
const ID = 'svc-till';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasSystemdAnalyze)
  console.log(
    'agent-service-restart.spec: systemd-analyze not found (apt-get install systemd): verify skipped',
  );

describe('the systemd unit: verified, and its restart-on-10 contract around the real launcher', () => {
  let db: TestDatabase | undefined;
  let c: TestCentral;
  let out: string;
  let program: string;
  let home: string;
  let service: UnitSupervisor | undefined;
  const rules = parseServiceUnit(readFileSync(UNIT, 'utf8'));

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url, { heartbeatMs: 1000 });
    const key = packageKey();
    trustPackageKey(c.dataDir, key);
    out = mkdtempSync(join(tmpdir(), 'sy-service-pkg-'));
    buildAgentPackages(out, key, [A, B]);
    const upload = await c.api.upload('/api/agent-packages', builtPackageFiles(out, B));
    expect(upload.status).toBe(200);
    // As the package README installs it: the program in one place (/opt/switchyard-agent), the home
    // (the unit's SWITCHYARD_AGENT_HOME, /var/lib/switchyard-agent) in another.
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'sy-service-root-')));
    execFileSync('tar', ['-xzf', join(out, `switchyard-agent-${A}.tar.gz`), '-C', root]);
    program = join(root, 'opt', 'switchyard-agent');
    mkdirSync(join(root, 'opt'));
    execFileSync('mv', [join(root, `switchyard-agent-${A}`), program]);
    home = join(root, 'var', 'lib', 'switchyard-agent');
    mkdirSync(join(home, 'conf'), { recursive: true });
    cpSync(join(program, 'conf', 'agent.conf'), join(home, 'conf', 'agent.conf'));
    await pointAgentConf(join(home, 'conf', 'agent.conf'), {
      plainPort: c.ports.plain,
      agentId: ID,
      upgradeTimeoutSeconds: 30,
    });
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await c?.stop();
    await db?.drop();
  });

  (hasSystemdAnalyze ? it : it.skip)(
    'passes systemd-analyze verify (as packaged, at its install path)',
    () => {
      // verify checks that ExecStart= exists and is executable: the unpacked program stands in for /opt.
      const verify = (text: string) => {
        const dir = mkdtempSync(join(tmpdir(), 'sy-unit-'));
        const unit = join(dir, 'switchyard-agent.service');
        writeFileSync(unit, text.replaceAll('/opt/switchyard-agent', program));
        const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
        // Lines about this unit only (the host's other units may have complaints of their own); verify
        // answers 0 for settings it ignores, so the lines are what counts.
        return {
          status: r.status,
          own: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('switchyard-agent')),
        };
      };
      const unit = readFileSync(UNIT, 'utf8');
      expect(verify(unit)).toEqual({ status: 0, own: [] });
      // The check can fail: a setting systemd would ignore is named.
      expect(verify(unit.replace('Restart=on-failure', 'Restart=sometimes')).own).toEqual([
        expect.stringContaining('Failed to parse service restart specifier, ignoring: sometimes'),
      ]);
    },
  );

  it('reads the restart rules the way systemd does', () => {
    expect(rules).toMatchObject({
      restart: 'on-failure',
      execStart: '/opt/switchyard-agent/bin/switchyard-agent',
    });
    const exit = (code: number | null, signal: NodeJS.Signals | null = null) =>
      shallRestart(rules, { code, signal, stopRequested: false });
    expect([exit(10), exit(1), exit(0), exit(2), exit(3), exit(null, 'SIGKILL'), exit(null, 'SIGTERM')]).toEqual([
      true, true, false, false, false, true, false,
    ]); // prettier-ignore
    expect(shallRestart(rules, { code: 10, signal: null, stopRequested: true })).toBe(false);
  });

  it('an upgrade exits with 10, the unit starts the launcher again, and it comes back on the new version', async () => {
    const { token } = await c.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {});
    service = new UnitSupervisor(
      { ...rules, execStart: rules.execStart.replace('/opt/switchyard-agent', program) },
      {
        // EnvironmentFile=/etc/switchyard-agent/environment holds the token for the first start.
        env: {
          PATH: '/usr/bin:/bin',
          HOME: home,
          SWITCHYARD_NODE: targetNode('agent-service-restart'),
          SWITCHYARD_AGENT_HOME: home,
          SWITCHYARD_ENROLLMENT_TOKEN: token,
        },
      },
    );
    service.start();
    const row = () => c.api.ok<{ status: string; agentVersion: string }>('GET', `/api/agents/${ID}`);
    await explainOnTimeout(
      () => waitFor('online on A under the unit', async () => (await row().catch(() => undefined))?.agentVersion === A, 30_000),
      async () => service!.output.slice(-4000),
    ); // prettier-ignore
    const upgrade = await c.api.call<{ id: string }>('POST', '/api/agent-upgrades', {
      version: B,
      targets: { agentIds: [ID] },
    });
    expect(upgrade.status).toBe(201);
    await explainOnTimeout(
      () =>
        waitFor('back online on B', async () => {
          const r = await row();
          return r.status === 'online' && r.agentVersion === B && !existsSync(join(home, 'versions', 'trial'));
        }, 60_000, 250),
      async () => `${JSON.stringify(await c.api.ok('GET', `/api/rollouts/${upgrade.body.id}`), null, 1)}\n${service!.output.slice(-5000)}`,
    ); // prettier-ignore
    // One exit with 10 (the old version asking its service manager), one start after it; nothing
    // detached: the agent did not restart itself.
    expect(service.runs.map((r) => r.code)).toEqual([10, undefined]);
    expect(service.runs[0]!.process.output).toMatch(
      /exiting with 10: the service manager starts the new version/,
    );
    expect(existsSync(join(home, 'state', 'agent.log'))).toBe(false);
    expect(readFileSync(join(home, 'versions', 'current'), 'utf8').trim()).toBe(B);
    expect(existsSync(join(home, 'versions', B, 'lib', 'switchyard-agent.mjs'))).toBe(true);
    await waitFor('the rollout completed', async () => (await c.api.ok<{ state: string }>('GET', `/api/rollouts/${upgrade.body.id}`)).state === 'completed', 30_000); // prettier-ignore

    // systemctl stop: SIGTERM, exit 0, no restart; central shows it offline.
    await service.stop();
    expect(service.runs.at(-1)!.code).toBe(0);
    await new Promise((r) => setTimeout(r, 700));
    expect(service.runs).toHaveLength(2);
    await waitFor('offline after the stop', async () => (await row()).status === 'offline', 15_000);
  }, 150_000);
});
