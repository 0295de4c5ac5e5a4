import { createHash, randomBytes } from 'node:crypto';
import { VerifiedArchives } from './verified-archives.js';

const archive = randomBytes(50 * 1024);
const sha256 = createHash('sha256').update(archive).digest('hex');

/** Feeds `bytes` in chunks of `size`. */
function feed(archives: VerifiedArchives, bytes: Buffer, size = 16 * 1024, sha = sha256): boolean {
  const check = archives.check(sha);
  for (let o = 0; o < bytes.length; o += size) check.update(bytes.subarray(o, o + size));
  return check.matches();
}

describe('VerifiedArchives', () => {
  it('hashes until a copy with the announced sha256 is kept, then compares bytes', () => {
    const archives = new VerifiedArchives();
    const flipped = Buffer.from(archive);
    flipped[100] ^= 0x80;
    expect(feed(archives, flipped)).toBe(false); // hashed: not kept
    expect(feed(archives, archive, 7000)).toBe(true); // hashed: kept
    expect(feed(archives, archive, 65536)).toBe(true); // compared
    expect(feed(archives, flipped)).toBe(false);
    expect(feed(archives, archive.subarray(0, archive.length - 1))).toBe(false);
    expect(feed(archives, Buffer.concat([archive, Buffer.from([0])]))).toBe(false);
    expect(feed(archives, archive, 1000, 'f'.repeat(64))).toBe(false);
  });
});
