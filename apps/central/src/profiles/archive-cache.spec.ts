import { ArchiveCache } from './archive-cache.js';

describe('ArchiveCache', () => {
  it('returns what it holds and drops the least recently used beyond its byte budget', () => {
    const cache = new ArchiveCache(10);
    cache.set('a', Buffer.alloc(4));
    cache.set('b', Buffer.alloc(4));
    expect(cache.get('a')?.length).toBe(4); // a is now the most recent
    cache.set('c', Buffer.alloc(4)); // 12 bytes > 10: b goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('never holds an archive larger than the whole budget', () => {
    const cache = new ArchiveCache(10);
    cache.set('big', Buffer.alloc(11));
    expect(cache.get('big')).toBeUndefined();
  });
});
