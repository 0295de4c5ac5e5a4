import { LogTail } from './log-tail.js';

describe('LogTail', () => {
  it('keeps the newest lines within its byte bound and hands every line on', () => {
    const written: string[] = [];
    const tail = new LogTail(30);
    const write = tail.tee((line) => written.push(line));
    for (let i = 0; i < 10; i++) write(`line ${i}`);
    expect(written).toHaveLength(10);
    // "line N\n" is 7 bytes: four fit in 30.
    expect(tail.text()).toBe('line 6\nline 7\nline 8\nline 9\n');
    expect(tail.text(15)).toBe('line 8\nline 9\n');
  });

  it('keeps the end of a line longer than the whole tail, and stays bounded over many lines', () => {
    const tail = new LogTail(8);
    tail.push('0123456789abcdef');
    expect(tail.text()).toBe('9abcdef\n');
    const big = new LogTail(1024);
    for (let i = 0; i < 100_000; i++) big.push(`entry ${i}`);
    expect(Buffer.byteLength(big.text(), 'utf8')).toBeLessThanOrEqual(1024);
    expect(big.text().endsWith('entry 99999\n')).toBe(true);
  });
});
