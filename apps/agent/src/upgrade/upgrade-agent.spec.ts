import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentFrame } from '../../../../libs/protocol/index.js';
import { AgentHome } from '../agent-home.js';
import { Logger } from '../logger.js';
import { SigningKeyPin } from '../profiles/signing-key-pin.js';
import { restartPlan, UPGRADE_RESTART_EXIT_CODE } from './agent-restart.js';
import { UpgradeAgent, upgradeTimeoutMs } from './upgrade-agent.js';
import { UpgradeLayout } from './upgrade-layout.js';

describe('agent upgrades: restart plan, trial and rollback reports', () => {
  let root: string;
  let home: AgentHome;
  const sent: AgentFrame[] = [];
  const channel = {
    sendFrame: (frame: AgentFrame) => (sent.push(frame), true),
    onPackageChunk: () => () => undefined,
  };
  const quiet = new Logger('error', () => undefined);
  const agent = (running: string, exit: (code: number) => void = () => undefined) =>
    new UpgradeAgent({
      home,
      logger: quiet,
      pin: new SigningKeyPin(home),
      running,
      confText: '',
      restart: () => undefined,
      env: {},
      exit,
    });
  const tick = () => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sy-upgrade-agent-'));
    home = new AgentHome(root);
    sent.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('restarts through systemd with its own exit code, by hand through the launcher, else refuses', () => {
    expect(restartPlan({ INVOCATION_ID: 'abc', SWITCHYARD_AGENT_LAUNCHER: '/x' })).toEqual({
      kind: 'service-manager',
      exitCode: UPGRADE_RESTART_EXIT_CODE,
    });
    expect(UPGRADE_RESTART_EXIT_CODE).toBe(10);
    expect(restartPlan({ SWITCHYARD_AGENT_LAUNCHER: '/opt/a/bin/switchyard-agent' })).toEqual({
      kind: 'respawn',
      launcher: '/opt/a/bin/switchyard-agent',
    });
    expect(restartPlan({})).toMatchObject({
      kind: 'impossible',
      reason: expect.stringContaining('launcher'),
    });
  });

  it('a trial version that is welcomed keeps itself and reports upgraded', async () => {
    const layout = new UpgradeLayout(home);
    layout.writeTrial({ version: '1.0.0', previous: '0.9.0', deliveryId: 'r:1', timeoutMs: 60_000 });
    const trial = agent('1.0.0');
    trial.start();
    trial.welcomed(channel);
    await tick();
    trial.stop();
    expect(layout.readTrial()).toBeUndefined();
    expect(sent).toEqual([
      { type: 'agent.upgrade.status', deliveryId: 'r:1', version: '1.0.0', state: 'upgraded' },
    ]);
  });

  it('a trial version that is not welcomed in time notes why and exits for the launcher to go back', async () => {
    const layout = new UpgradeLayout(home);
    layout.writeTrial({ version: '1.0.0', previous: '0.9.0', deliveryId: 'r:1', timeoutMs: 50 });
    const exited = new Promise<number>((resolve) => agent('1.0.0', resolve).start());
    expect(await exited).toBe(1);
    expect(readFileSync(layout.trialFile, 'utf8')).toContain(
      'reason=version 1.0.0 did not reach welcome within 0.05 s',
    );
  });

  it('the previous version reports the rollback once, at its next welcome', async () => {
    const layout = new UpgradeLayout(home);
    layout.ensure();
    writeFileSync(
      layout.rollbackFile,
      'version=1.0.1\nprevious=1.0.0\ndeliveryId=r:2\nreason=version 1.0.1 exited with code 1 before central welcomed it; back on 1.0.0\n',
    );
    const back = agent('1.0.0');
    back.welcomed(channel);
    await tick();
    back.welcomed(channel);
    await tick();
    expect(sent).toEqual([
      {
        type: 'agent.upgrade.status',
        deliveryId: 'r:2',
        version: '1.0.1',
        state: 'failed',
        reason: 'version 1.0.1 exited with code 1 before central welcomed it; back on 1.0.0',
      },
    ]);
  });

  it('reads agent.upgrade.timeout in seconds, within 5-3600, else 60 s', () => {
    expect(upgradeTimeoutMs('agent.upgrade.timeout=20\n')).toBe(20_000);
    expect(upgradeTimeoutMs('agent.upgrade.timeout=2\n')).toBe(60_000);
    expect(upgradeTimeoutMs('agent.upgrade.timeout=soon\n')).toBe(60_000);
    expect(upgradeTimeoutMs('')).toBe(60_000);
  });
});
