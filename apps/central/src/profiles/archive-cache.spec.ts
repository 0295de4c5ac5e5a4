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

  it('reads a missing archive once however many ask for it meanwhile, and not at all once cached', async () => {
    const cache = new ArchiveCache();
    let reads = 0;
    let finish!: (archive: Buffer) => void;
    const read = () => {
      reads++;
      return new Promise<Buffer>((resolve) => (finish = resolve));
    };
    const waiting = [cache.load('a', read), cache.load('a', read), cache.load('a', read)];
    finish(Buffer.from('zip'));
    expect((await Promise.all(waiting)).map(String)).toEqual(['zip', 'zip', 'zip']);
    expect(String(await cache.load('a', read))).toBe('zip');
    expect(reads).toBe(1);
  });

  it('does not remember an archive that is not there, nor a read that failed', async () => {
    const cache = new ArchiveCache();
    await expect(cache.load('x', () => Promise.resolve(undefined))).resolves.toBeUndefined();
    await expect(cache.load('x', () => Promise.reject(new Error('database down')))).rejects.toThrow(
      'database down',
    );
    await expect(cache.load('x', () => Promise.resolve(Buffer.from('zip')))).resolves.toEqual(
      Buffer.from('zip'),
    );
  });
});
