import { EarlyLog } from './database-early.js';

describe('EarlyLog', () => {
  it('keeps lines until a logger is attached, hands them over in order, then passes lines through', () => {
    const early = new EarlyLog();
    early.line('embedded PostgreSQL started');
    early.line('applied migration X');
    const seen: string[] = [];
    early.attach((line) => seen.push(line));
    expect(seen).toEqual(['embedded PostgreSQL started', 'applied migration X']);
    early.line('later');
    expect(seen).toEqual(['embedded PostgreSQL started', 'applied migration X', 'later']);
  });
});
