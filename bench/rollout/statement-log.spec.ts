import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statementCosts } from './statement-log.js';

describe('statementCosts', () => {
  it('sums parse, bind and execute per statement text, statements over several lines included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-statement-log-'));
    const file = join(dir, 'server.log');
    const before = '2026-11-23 10:00:00.000 UTC [1] LOG:  duration: 99.0 ms  statement: SELECT before\n';
    writeFileSync(
      file,
      before +
        [
          '2026-11-23 10:00:01.000 UTC [2] LOG:  duration: 0.500 ms  parse <unnamed>: SELECT a',
          '\t  FROM agents WHERE id = $1',
          '2026-11-23 10:00:01.001 UTC [2] LOG:  duration: 0.250 ms  bind <unnamed>: SELECT a',
          '\t  FROM agents WHERE id = $1',
          "2026-11-23 10:00:01.002 UTC [2] DETAIL:  parameters: $1 = 'x'",
          '2026-11-23 10:00:01.003 UTC [2] LOG:  duration: 2.000 ms  execute <unnamed>: SELECT a',
          '\t  FROM agents WHERE id = $1',
          '2026-11-23 10:00:01.004 UTC [3] LOG:  duration: 1.000 ms  statement: COMMIT',
          '2026-11-23 10:00:01.005 UTC [3] LOG:  duration: 1.500 ms  statement: COMMIT',
          '2026-11-23 10:00:01.006 UTC [3] LOG:  checkpoint starting: time',
          '',
        ].join('\n'),
    );
    expect(statementCosts(file, before.length)).toEqual([
      { statement: 'SELECT a FROM agents WHERE id = $1', count: 1, totalMs: 2.75 },
      { statement: 'COMMIT', count: 2, totalMs: 2.5 },
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
