import { areaOf, summarizeProfile } from './cpu-profile-summary.js';

describe('cpu profile summary', () => {
  it('names areas an engineer can act on', () => {
    expect(areaOf('file:///w/node_modules/pg-protocol/dist/parser.js', 'parse')).toBe('pg-protocol');
    expect(areaOf('file:///w/node_modules/@nestjs/core/router.js', 'x')).toBe('@nestjs/core');
    expect(areaOf('file:///w/dist/apps/central/src/rollouts/rollout-dispatcher.js', 'pass')).toBe(
      'central/rollouts',
    );
    expect(areaOf('file:///w/dist/libs/protocol/frame-parser.js', 'parseFrame')).toBe('libs/protocol');
    expect(areaOf('node:internal/streams/writable', 'write')).toBe('node:internal');
    expect(areaOf('', '(garbage collector)')).toBe('gc');
    expect(areaOf('', '(idle)')).toBe('idle');
  });

  it('splits the wall time by self hits', () => {
    const s = summarizeProfile({
      startTime: 0,
      endTime: 1_000_000,
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, hitCount: 3 },
        {
          id: 2,
          callFrame: { functionName: 'query', url: 'file:///w/node_modules/pg/lib/client.js', lineNumber: 9 },
          hitCount: 1,
        },
      ],
    });
    expect(s.totalMs).toBe(1000);
    expect(s.byArea).toEqual([
      { name: 'idle', ms: 750 },
      { name: 'pg', ms: 250 },
    ]);
    expect(s.byFunction[1]).toEqual({ name: 'query node_modules/pg/lib/client.js:10', ms: 250 });
  });
});
