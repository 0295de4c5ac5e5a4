import { type AgentEvent } from '../../../../libs/protocol/index.js';
import { AgentEventAudit, type AgentEventEntry } from './agent-event-audit.js';

function setup() {
  const written: AgentEventEntry[] = [];
  const timers: Array<{ fn: () => void; cancelled: boolean }> = [];
  const audit = new AgentEventAudit({
    write: (e) => void written.push(e),
    entriesPerWindow: 3,
    windowMs: 60_000,
    schedule: (fn) => {
      const t = { fn, cancelled: false };
      timers.push(t);
      return () => (t.cancelled = true);
    },
  });
  /** The window's time is up. */
  const elapse = () => {
    for (const t of timers.splice(0)) if (!t.cancelled) t.fn();
  };
  return { audit, written, elapse };
}

const event = (over: Partial<AgentEvent> = {}): AgentEvent => ({
  type: 'agent.event',
  kind: 'local_api.wrong_password',
  reason: 'wrong user name or password from 10.0.0.9 (1 within the last minute)',
  count: 1,
  firstAt: '2026-12-07T10:00:00.000Z',
  lastAt: '2026-12-07T10:00:00.000Z',
  address: '10.0.0.9',
  ...over,
});

describe('AgentEventAudit', () => {
  it('writes the first refusals of a window as they come, with the reason, the count and the local address', () => {
    const { audit, written } = setup();
    audit.record('till-1', '192.0.2.7', event({ count: 12 }));
    expect(written).toEqual([
      {
        agentId: 'till-1',
        address: '192.0.2.7',
        action: 'agent refusal',
        details: {
          kind: 'local_api.wrong_password',
          reason: 'wrong user name or password from 10.0.0.9 (1 within the last minute)',
          count: 12,
          firstAt: '2026-12-07T10:00:00.000Z',
          lastAt: '2026-12-07T10:00:00.000Z',
          localAddress: '10.0.0.9',
        },
      },
    ]);
  });

  it('counts a flood past the limit and writes one summary per window: at most limit + 1 entries', () => {
    const { audit, written, elapse } = setup();
    for (let i = 0; i < 1000; i++) audit.record('till-1', '192.0.2.7', event({ count: 2 }));
    audit.record(
      'till-1',
      '192.0.2.7',
      event({ kind: 'local_api.over_quota', reason: 'PUT /files/a: over quota' }),
    );
    expect(written).toHaveLength(3);
    elapse();
    expect(written).toHaveLength(4);
    const summary = written[3]!;
    expect(summary.action).toBe('agent refusals summarized');
    expect(summary.details.count).toBe(997 * 2 + 1);
    expect(summary.details.kinds).toEqual([
      expect.objectContaining({ kind: 'local_api.wrong_password', count: 1994, frames: 997 }),
      expect.objectContaining({
        kind: 'local_api.over_quota',
        count: 1,
        lastReason: 'PUT /files/a: over quota',
      }),
    ]);
    expect(audit.openWindows).toBe(0);
    // The next window starts over.
    audit.record('till-1', '192.0.2.7', event());
    expect(written).toHaveLength(5);
  });

  it('limits each agent on its own, and writes no summary when nothing was held back', () => {
    const { audit, written, elapse } = setup();
    for (let i = 0; i < 3; i++) audit.record('till-1', 'a', event());
    audit.record('till-2', 'b', event());
    expect(written.map((w) => w.agentId)).toEqual(['till-1', 'till-1', 'till-1', 'till-2']);
    elapse();
    expect(written).toHaveLength(4);
  });

  it('writes pending summaries when central stops', () => {
    const { audit, written } = setup();
    for (let i = 0; i < 5; i++) audit.record('till-1', 'a', event());
    audit.flushAll();
    expect(written.at(-1)).toMatchObject({ action: 'agent refusals summarized', details: { count: 2 } });
  });
});
