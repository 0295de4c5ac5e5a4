import { SessionLog } from './session-log.js';

describe('SessionLog', () => {
  it('logs the first events of a window one by one and summarizes the rest in one line', () => {
    const lines: string[] = [];
    const log = new SessionLog({ log: (line) => lines.push(line) }, () => 1234, {
      linesPerWindow: 3,
      windowMs: 60_000,
    });
    let built = 0;
    for (let i = 0; i < 1000; i++)
      log.event(i % 4 ? 'online via secure' : 'disconnected', () => `agent a-${i} (${++built})`);
    expect(lines).toEqual(['agent a-0 (1)', 'agent a-1 (2)', 'agent a-2 (3)']);
    expect(built).toBe(3); // lines past the limit are not even built
    log.flush();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(
      '997 more agent session events in the last 60 s, not logged one by one: 748 online via secure, 249 disconnected; 1234 sessions held now',
    );
    // A new window logs one by one again; a quiet window writes no summary.
    log.event('offline', () => 'agent b offline');
    log.flush();
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('agent b offline');
  });

  it('ends its window by itself', async () => {
    const lines: string[] = [];
    const log = new SessionLog({ log: (line) => lines.push(line) }, () => 2, {
      linesPerWindow: 1,
      windowMs: 30,
    });
    log.event('offline', () => 'one');
    log.event('offline', () => 'two');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(lines).toEqual([
      'one',
      '1 more agent session events in the last 0 s, not logged one by one: 1 offline; 2 sessions held now',
    ]);
  });
});
