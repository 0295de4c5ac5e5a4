import { type ProfileStatus } from '../../../../libs/protocol/index.js';
import { ProgressHold, SUPERSEDED, type RecordOutcome, type StatusAnswer } from './progress-hold.js';
import { progressHoldMs } from './rollout-status.recorder.js';

const ROLLOUT = '0b7e3c52-4a55-4d1c-9a0e-5d8f0c3a1e11';

function answer(agentId: string, state: ProfileStatus['state'], attempt = 1): StatusAnswer {
  return {
    agentId,
    rolloutId: ROLLOUT,
    attempt,
    status: { type: 'profile.status', deliveryId: `${ROLLOUT}:${attempt}`, sha256: 'a'.repeat(64), state },
  };
}

describe('ProgressHold', () => {
  let written: string[];
  let hold: ProgressHold;
  const write = (a: StatusAnswer): Promise<RecordOutcome> => {
    written.push(`${a.agentId} ${a.status.state} #${a.attempt}`);
    return Promise.resolve({ recorded: true, state: a.status.state, mode: 'publish' });
  };

  beforeEach(() => {
    written = [];
    hold = new ProgressHold(write, 40);
  });
  afterEach(() => hold.releaseAll());

  it('writes only the final answer when it overtakes the progress note', async () => {
    const note = hold.submit(answer('a1', 'synchronizing'));
    const done = hold.submit(answer('a1', 'synchronized'));
    expect(await note).toEqual({ recorded: false, why: SUPERSEDED });
    expect(await done).toMatchObject({ recorded: true, state: 'synchronized' });
    expect(written).toEqual(['a1 synchronized #1']);
  });

  it('writes a progress note that nothing overtakes once its time is up', async () => {
    const note = hold.submit(answer('a1', 'synchronizing'));
    expect(written).toEqual([]);
    expect(await note).toMatchObject({ recorded: true, state: 'synchronizing' });
    expect(written).toEqual(['a1 synchronizing #1']);
  });

  it("writes applying at once: the candidate connection's hello must find it on record", async () => {
    expect(await hold.submit(answer('a1', 'applying'))).toMatchObject({ recorded: true, state: 'applying' });
    expect(written).toEqual(['a1 applying #1']);
  });

  it('a failure overtakes the note too', async () => {
    const note = hold.submit(answer('a1', 'synchronizing'));
    await hold.submit(answer('a1', 'failed'));
    expect(await note).toEqual({ recorded: false, why: SUPERSEDED });
    expect(written).toEqual(['a1 failed #1']);
  });

  it('an answer about another delivery does not drop the note: the note is written first', async () => {
    const note = hold.submit(answer('a1', 'synchronizing', 1));
    await hold.submit(answer('a1', 'synchronized', 2));
    expect(await note).toMatchObject({ recorded: true });
    expect(written).toEqual(['a1 synchronizing #1', 'a1 synchronized #2']);
  });

  it('an answer that is not further along does not drop the note', async () => {
    const first = hold.submit(answer('a1', 'synchronizing'));
    const second = hold.submit(answer('a1', 'synchronizing'));
    expect(await first).toMatchObject({ recorded: true, state: 'synchronizing' });
    expect(await second).toMatchObject({ recorded: true, state: 'synchronizing' });
    expect(written).toEqual(['a1 synchronizing #1', 'a1 synchronizing #1']);
  });

  it('keeps agents apart and writes every held note when central stops', async () => {
    const notes = [hold.submit(answer('a1', 'synchronizing')), hold.submit(answer('a2', 'synchronizing'))];
    await hold.submit(answer('a2', 'synchronized'));
    hold.releaseAll();
    const [a1, a2] = await Promise.all(notes);
    expect(a1).toMatchObject({ recorded: true });
    expect(a2).toEqual({ recorded: false, why: SUPERSEDED });
    expect(written).toEqual(['a2 synchronized #1', 'a1 synchronizing #1']);
  });

  it('holds each note as long as its own hold says', async () => {
    const perNote = new ProgressHold(write, (note) => (note.agentId === 'slow' ? 10_000 : 20));
    const quick = perNote.submit(answer('quick', 'synchronizing'));
    const slow = perNote.submit(answer('slow', 'synchronizing'));
    await quick;
    expect(written).toEqual(['quick synchronizing #1']);
    // Overtaken while the long hold still runs: never written.
    expect(await Promise.race([slow, new Promise((r) => setTimeout(() => r('held'), 100))])).toBe('held');
    await perNote.submit(answer('slow', 'synchronized'));
    expect(await slow).toEqual({ recorded: false, why: SUPERSEDED });
    expect(written).toEqual(['quick synchronizing #1', 'slow synchronized #1']);
  });
});

describe('progressHoldMs', () => {
  it('holds a note a quarter of its step timeout, between 250 ms and 5 s; 250 ms when unknown', () => {
    expect(progressHoldMs(undefined)).toBe(250);
    expect(progressHoldMs(1)).toBe(250);
    expect(progressHoldMs(4)).toBe(1000);
    expect(progressHoldMs(300)).toBe(5000);
  });
});
