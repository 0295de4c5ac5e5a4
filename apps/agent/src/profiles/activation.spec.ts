import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Welcome } from '../../../../libs/protocol/index.js';
import { parseAgentConfText } from '../agent-conf-file.js';
import { AgentHome } from '../agent-home.js';
import type { CentralConnection, ConnectionEnd } from '../central-connection.js';
import { connectionTarget, type ConnectionTarget } from '../connection-target.js';
import { Logger } from '../logger.js';
import { confText } from '../testing/profile-fixtures.js';
import { Activation, type ActivationOutcome } from './activation.js';
import { ProfileLayout } from './profile-layout.js';
import { profileRefJson } from './profile-state.js';
import { readStagedProfile } from './profile-stager.js';
import { SigningKeyPin } from './signing-key-pin.js';

const RUNNING = confText({ plainPort: 8787 });
const SHA = 'ab'.repeat(32);

/** A candidate connection the test drives: welcome it, or let it end. */
interface Candidate {
  target: ConnectionTarget;
  welcome(): void;
  end(description: string): void;
  closes: string[];
}

describe('a profile activation (state machine)', () => {
  let dir: string;
  let home: AgentHome;
  let layout: ProfileLayout;
  let lines: string[];
  let events: string[];
  let candidates: Candidate[];

  /** Stages `text` as profile default r2 and makes the activation, with a handover that records what happens. */
  function activation(text: string): Activation {
    mkdirSync(layout.stagedConfDir, { recursive: true });
    writeFileSync(join(layout.stagedConfDir, 'agent.conf'), text);
    writeFileSync(layout.stagedMetaFile, profileRefJson({ profile: 'default', revision: 2, sha256: SHA }));
    const staged = readStagedProfile(layout);
    const running = parseAgentConfText(RUNNING);
    if (!staged || !running.ok) throw new Error('test setup');
    return new Activation({
      staged,
      layout,
      logger: new Logger('debug', (line) => lines.push(line)),
      pin: new SigningKeyPin(home),
      handover: {
        running: { conf: running.conf, target: connectionTarget(running.conf, home) },
        openCandidate: (target, onWelcome) => openCandidate(target, onWelcome),
        confWatch: {
          suspend: () => events.push('suspend'),
          resume: (text) => events.push(text === undefined ? 'resume' : 'resume with the new text'),
        },
        takeBack: (outcome) => events.push(`takeBack ${outcome.state}`),
      },
      record: (outcome) => events.push(`record ${outcome.state}`),
    });
  }

  function openCandidate(target: ConnectionTarget, onWelcome: (welcome: Welcome) => void): CentralConnection {
    events.push(`open ${target.url}`);
    let finish!: (end: ConnectionEnd) => void;
    const ended = new Promise<ConnectionEnd>((resolve) => (finish = resolve));
    const end = (description: string) =>
      finish({
        welcome: undefined,
        closeCode: undefined,
        httpStatus: undefined,
        description,
        fatal: undefined,
      });
    const candidate: Candidate = {
      target,
      welcome: () => onWelcome({ type: 'welcome', agentId: 'branch-7', nodeId: 'n1' } as Welcome),
      end,
      closes: [],
    };
    candidates.push(candidate);
    return {
      target,
      ended,
      close: (_code: number, reason: string) => {
        candidate.closes.push(reason);
        end(reason);
      },
    } as unknown as CentralConnection;
  }

  const transitions = () =>
    lines.filter((l) => l.includes('DEBUG activation of profile')).map((l) => l.replace(/.*: /, ''));
  const conf = () => readFileSync(home.confFile, 'utf8');
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((r) => setTimeout(r, 5));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-activation-'));
    home = new AgentHome(dir);
    layout = new ProfileLayout(home);
    mkdirSync(home.confDir, { recursive: true });
    writeFileSync(home.confFile, RUNNING);
    [lines, events, candidates] = [[], [], []];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the connection: staged → conf-swapped → adopted, polling paused around the swap, taken back once', async () => {
    const next = confText({ plainPort: 8787, extra: ['agent.group=north'] });
    const run = activation(next);
    const outcome = await run.run();
    expect(outcome).toMatchObject({ state: 'adopted', connection: undefined });
    expect(await run.outcome).toBe(outcome);
    expect(run.state).toBe('adopted');
    expect(transitions()).toEqual(['idle → staged', 'staged → conf-swapped', 'conf-swapped → adopted']);
    // The profile agent's record comes before the runner takes back, and nothing is opened.
    expect(events).toEqual(['suspend', 'resume with the new text', 'record adopted', 'takeBack adopted']);
    expect(conf()).toBe(next);
    expect(readFileSync(join(layout.previousDir, 'agent.conf'), 'utf8')).toBe(RUNNING);
  });

  it('changes the connection: candidate-open until central welcomes the candidate, which is adopted', async () => {
    const next = confText({ plainPort: 8788 });
    const run = activation(next);
    const done = run.run();
    await until(() => candidates.length === 1);
    expect(run.state).toBe('candidate-open');
    expect(conf()).toBe(RUNNING); // nothing swapped while the candidate waits
    candidates[0].welcome();
    const outcome = (await done) as Extract<ActivationOutcome, { state: 'adopted' }>;
    expect(outcome.state).toBe('adopted');
    expect(outcome.connection?.target.url).toBe('ws://127.0.0.1:8788/agent');
    expect(transitions()).toEqual([
      'idle → staged',
      'staged → candidate-open',
      'candidate-open → conf-swapped',
      'conf-swapped → adopted',
    ]);
    expect(events[0]).toBe('open ws://127.0.0.1:8788/agent');
    expect(candidates[0].closes).toEqual([]);
    expect(conf()).toBe(next);
  });

  it('reverts when the candidate ends without a welcome: conf/ untouched, the runner told once', async () => {
    const run = activation(confText({ plainPort: 8788 }));
    const done = run.run();
    await until(() => candidates.length === 1);
    candidates[0].end('connection refused');
    expect(await done).toEqual({
      state: 'reverted',
      reason:
        'candidate connection to ws://127.0.0.1:8788/agent failed: connection refused; kept ws://127.0.0.1:8787/agent',
    });
    expect(transitions()).toEqual(['idle → staged', 'staged → candidate-open', 'candidate-open → reverted']);
    expect(events).toEqual(['open ws://127.0.0.1:8788/agent', 'record reverted', 'takeBack reverted']);
    expect(conf()).toBe(RUNNING);
  });

  it('abandon() while the candidate waits (the agent stops) closes it, which reverts', async () => {
    const run = activation(confText({ plainPort: 8788 }));
    const done = run.run();
    await until(() => candidates.length === 1);
    run.abandon('agent stopping');
    expect(await done).toMatchObject({
      state: 'reverted',
      reason: expect.stringContaining('agent stopping'),
    });
    expect(candidates[0].closes[0]).toBe('agent stopping');
    expect(conf()).toBe(RUNNING);
  });

  it('reverts when the swap fails, closing a welcomed candidate and resuming polling without a new text', async () => {
    const run = activation(confText({ plainPort: 8788 }));
    const done = run.run();
    await until(() => candidates.length === 1);
    rmSync(layout.stagedConfDir, { recursive: true, force: true }); // gone before the swap
    candidates[0].welcome();
    expect(await done).toMatchObject({
      state: 'reverted',
      reason: expect.stringMatching(/^cannot swap conf\/: no staged conf\/ for default r2/),
    });
    expect(candidates[0].closes).toEqual(['candidate connection abandoned']);
    expect(events.slice(1)).toEqual(['suspend', 'resume', 'record reverted', 'takeBack reverted']);
    expect(conf()).toBe(RUNNING);
  });
});
