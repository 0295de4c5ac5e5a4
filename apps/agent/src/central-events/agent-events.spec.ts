import { type AgentEvent } from '../../../../libs/protocol/index.js';
import { AgentEvents } from './agent-events.js';

function setup() {
  let now = Date.parse('2026-12-07T10:00:00.000Z');
  const timers: Array<() => void> = [];
  const events = new AgentEvents({
    now: () => new Date(now),
    coalesceMs: 10_000,
    schedule: (fn) => void timers.push(fn),
  });
  const sent: AgentEvent[] = [];
  let open = true;
  const channel = { sendFrame: (f: AgentEvent) => (open ? (sent.push(f), true) : false) };
  return {
    events,
    sent,
    channel,
    tick: (ms: number) => (now += ms),
    close: () => (open = false),
    reopen: () => (open = true),
    /** The coalescing windows end. */
    elapse: () => {
      for (const t of timers.splice(0)) t();
    },
  };
}

describe('AgentEvents', () => {
  it('sends nothing to a central that does not accept agent.event (older central), and keeps only counts', () => {
    const t = setup();
    t.events.welcomed(t.channel, undefined);
    for (let i = 0; i < 100; i++) t.events.report('local_api.wrong_password', 'wrong password', '127.0.0.1');
    expect(t.sent).toEqual([]);
    expect(t.events.unsent).toBe(100);
  });

  it('sends the first refusal at once and a burst as one frame with its count when the window ends', () => {
    const t = setup();
    t.events.welcomed(t.channel, ['agent.event']);
    t.events.report('local_api.wrong_password', 'wrong password (1)', '127.0.0.1');
    expect(t.sent).toEqual([
      {
        type: 'agent.event',
        kind: 'local_api.wrong_password',
        reason: 'wrong password (1)',
        count: 1,
        firstAt: '2026-12-07T10:00:00.000Z',
        lastAt: '2026-12-07T10:00:00.000Z',
        address: '127.0.0.1',
      },
    ]);
    for (let i = 2; i <= 9; i++) {
      t.tick(500);
      t.events.report('local_api.wrong_password', `wrong password (${i})`, '127.0.0.1');
    }
    t.events.report('local_api.path_refused', 'PUT /files/..: refused');
    expect(t.sent.map((f) => f.kind)).toEqual(['local_api.wrong_password', 'local_api.path_refused']);
    t.elapse();
    expect(t.sent).toHaveLength(3);
    expect(t.sent[2]).toMatchObject({
      kind: 'local_api.wrong_password',
      count: 8,
      reason: 'wrong password (9)',
      firstAt: '2026-12-07T10:00:00.500Z',
      lastAt: '2026-12-07T10:00:04.000Z',
    });
    t.elapse(); // a quiet window closes; the next refusal goes out at once again
    t.events.report('local_api.wrong_password', 'again');
    expect(t.sent).toHaveLength(4);
  });

  it('keeps what a lost connection could not take and sends it at the next accepting welcome', () => {
    const t = setup();
    t.events.welcomed(t.channel, ['agent.event']);
    t.close();
    t.events.report('local_api.over_quota', 'PUT /files/big: over quota');
    t.events.report('local_api.over_quota', 'PUT /files/big: over quota');
    expect(t.sent).toEqual([]);
    t.reopen();
    t.events.welcomed(t.channel, ['agent.event']);
    expect(t.sent).toEqual([expect.objectContaining({ kind: 'local_api.over_quota', count: 2 })]);
    expect(t.events.unsent).toBe(0);
  });
});
