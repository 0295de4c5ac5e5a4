import { deflateRawSync } from 'node:zlib';
import type { Entry } from 'yauzl';
import { UnpackBudget, unpackEntry } from './entry.unpacker.js';
import { ProfileArchiveError, ProfileArchiveErrorCode as Code } from './profile-archive.errors.js';
import { tripwireBomb, zeroBomb } from './testing/zip.js';

// The opener checks declared sizes before unpacking; these tests hit the unpacker's own guards, which hold
// even if a caller skipped that check.
const entry = (compressionMethod: number, uncompressedSize: number) =>
  ({ compressionMethod, uncompressedSize }) as Entry;
const errorOf = (run: () => unknown): ProfileArchiveError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ProfileArchiveError) return error;
    throw error;
  }
  throw new Error('expected a ProfileArchiveError');
};

describe('unpackEntry', () => {
  it('inflates and stores, counting against the budget', () => {
    const budget = new UnpackBudget(100);
    expect(unpackEntry(entry(8, 60), deflateRawSync(Buffer.alloc(60, 1)), 'a', budget)).toEqual(
      Buffer.alloc(60, 1),
    );
    expect(budget.remaining).toBe(40);
    expect(unpackEntry(entry(0, 40), Buffer.alloc(40, 2), 'b', budget)).toEqual(Buffer.alloc(40, 2));
    expect(budget.remaining).toBe(0);
  });

  it('refuses an entry declaring more than the budget left', () => {
    const budget = new UnpackBudget(1024);
    budget.spend(1000, 'earlier');
    expect(errorOf(() => unpackEntry(entry(8, 100), zeroBomb(1), 'conf/big', budget))).toMatchObject({
      code: Code.UNPACKED_TOO_LARGE,
      message: 'entry "conf/big" declares 100 bytes, past the 24 unpacked bytes left',
    });
  });

  it('refuses when real output passes the budget', () => {
    const budget = new UnpackBudget(10);
    expect(() => budget.spend(10, 'a')).not.toThrow();
    expect(errorOf(() => budget.spend(1, 'conf/b'))).toMatchObject({
      code: Code.UNPACKED_TOO_LARGE,
      message: 'entry "conf/b" takes the archive past 10 unpacked bytes',
    });
  });

  it('stops inflating a 1 GiB bomb at the declared size', () => {
    // The bomb turns invalid after its 1 GiB of zeros: an unpacker that inflated past the declared 10 MiB
    // would reach that point and fail as CORRUPT instead of the refusal below. No clock involved.
    expect(
      errorOf(() =>
        unpackEntry(
          entry(8, 10 * 1024 * 1024),
          tripwireBomb(1024),
          'bomb',
          new UnpackBudget(10 * 1024 * 1024),
        ),
      ),
    ).toMatchObject({
      code: Code.ENTRY_SIZE_MISMATCH,
      message: `entry "bomb" unpacks to more than the ${10 * 1024 * 1024} bytes it declares (a zip bomb?)`,
    });
  });

  it('refuses an empty entry that is not empty', () => {
    expect(
      errorOf(() => unpackEntry(entry(8, 0), deflateRawSync(Buffer.from('x')), 'e', new UnpackBudget(10))),
    ).toMatchObject({
      code: Code.ENTRY_SIZE_MISMATCH,
    });
    expect(unpackEntry(entry(8, 0), deflateRawSync(Buffer.alloc(0)), 'e', new UnpackBudget(10))).toEqual(
      Buffer.alloc(0),
    );
  });

  it('refuses a stored entry longer than declared', () => {
    expect(
      errorOf(() => unpackEntry(entry(0, 3), Buffer.from('abcd'), 'conf/s', new UnpackBudget(10))),
    ).toMatchObject({
      code: Code.ENTRY_SIZE_MISMATCH,
      message: 'entry "conf/s" unpacks to more than the 3 bytes it declares (a zip bomb?)',
    });
  });
});
