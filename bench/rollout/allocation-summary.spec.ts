import { summarizeAllocations } from './allocation-summary.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 4 });

describe('allocation summary', () => {
  it('sums self sizes over the call tree by function and by area', () => {
    const mb = 1024 * 1024;
    const s = summarizeAllocations({
      head: {
        callFrame: frame('(root)'),
        selfSize: 0,
        children: [
          {
            callFrame: frame('parse', 'file:///w/node_modules/pg-protocol/dist/parser.js'),
            selfSize: 3 * mb,
            children: [
              {
                callFrame: frame('pass', 'file:///w/dist/apps/central/src/rollouts/rollout-dispatcher.js'),
                selfSize: 1 * mb,
                children: [],
              },
            ],
          },
          {
            callFrame: frame('parse', 'file:///w/node_modules/pg-protocol/dist/parser.js'),
            selfSize: 2 * mb,
            children: [],
          },
        ],
      },
    });
    expect(s.totalMb).toBe(6);
    expect(s.byArea).toEqual([
      { name: 'pg-protocol', mb: 5 },
      { name: 'central/rollouts', mb: 1 },
    ]);
    expect(s.byFunction[0]).toEqual({ name: 'parse node_modules/pg-protocol/dist/parser.js:5', mb: 5 });
  });
});
