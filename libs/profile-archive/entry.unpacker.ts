import { inflateRawSync } from 'node:zlib';
import type { Entry } from 'yauzl';
import { isDeflated } from './zip-entry.checks.js';
import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';

/**
 * Counts what all entries of one archive really unpack to, against the limit: the declared sizes were
 * checked up front, but only real output counts.
 */
export class UnpackBudget {
  private used = 0;

  constructor(private readonly limit: number) {}

  /** Room left for the next entry. */
  get remaining(): number {
    return this.limit - this.used;
  }

  spend(bytes: number, name: string): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.UNPACKED_TOO_LARGE,
        `entry ${quoteName(name)} takes the archive past ${this.limit} unpacked bytes`,
      );
    }
  }
}

/**
 * Unpacks one entry from its stored bytes. Inflation stops as soon as the output would pass the entry's
 * declared size (or the budget left, whichever is smaller): zlib's `maxOutputLength` aborts mid-stream, so
 * a bomb costs at most that many bytes of memory and the time to produce them, never its full size.
 *
 * @throws ProfileArchiveError ENTRY_SIZE_MISMATCH when the output is longer or shorter than declared,
 *   UNPACKED_TOO_LARGE when the budget runs out, CORRUPT for broken deflate data.
 */
export function unpackEntry(entry: Entry, stored: Buffer, name: string, budget: UnpackBudget): Buffer {
  const declared = entry.uncompressedSize;
  if (declared > budget.remaining) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.UNPACKED_TOO_LARGE,
      `entry ${quoteName(name)} declares ${declared} bytes, past the ${budget.remaining} unpacked bytes left`,
    );
  }
  let data: Buffer;
  if (isDeflated(entry)) {
    try {
      // maxOutputLength must be at least 1; an empty entry that inflates to 1 byte is still caught below.
      data = inflateRawSync(stored, { maxOutputLength: Math.max(declared, 1) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLong(name, declared);
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.CORRUPT,
        `entry ${quoteName(name)} has broken deflate data: ${(error as Error).message}`,
        { cause: error },
      );
    }
  } else {
    data = Buffer.from(stored); // a copy, so the result does not pin or alias the whole archive
  }
  if (data.length > declared) throw tooLong(name, declared);
  if (data.length < declared) {
    throw new ProfileArchiveError(
      ProfileArchiveErrorCode.ENTRY_SIZE_MISMATCH,
      `entry ${quoteName(name)} unpacks to ${data.length} bytes but declares ${declared}`,
    );
  }
  budget.spend(data.length, name);
  return data;
}

const tooLong = (name: string, declared: number) =>
  new ProfileArchiveError(
    ProfileArchiveErrorCode.ENTRY_SIZE_MISMATCH,
    `entry ${quoteName(name)} unpacks to more than the ${declared} bytes it declares (a zip bomb?)`,
  );
