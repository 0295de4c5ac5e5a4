// Test helper: writes zip files byte by byte (APPNOTE 4.3), with every field under the test's control, to
// make the malformed and malicious archives our own writer never produces. Not exported from index.ts.
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface CraftedEntry {
  /** Name as written in both headers (string ⇒ UTF-8 bytes). */
  name: string | Buffer;
  /** The bytes stored after the local header (already deflated when `method` is 8). */
  data: Buffer;
  /** Compression method; stored (0) by default. */
  method?: number;
  /** Declared uncompressed size; by default the length of `plain`, else of `data`. */
  uncompressedSize?: number;
  /** The unpacked content, for the CRC (and for manifests built by the caller). */
  plain?: Buffer;
  /** General purpose flags; UTF-8 names (0x0800) by default. */
  flags?: number;
  /** High byte: host system (3 = Unix), low byte: spec version. */
  versionMadeBy?: number;
  /** Full 32-bit external attributes; a regular file rw-r--r-- by default. */
  externalAttributes?: number;
  /** Extra field, written in both headers. */
  extra?: Buffer;
  /** A different name for the local header only. */
  localName?: string | Buffer;
}

const bytesOf = (name: string | Buffer) => (typeof name === 'string' ? Buffer.from(name, 'utf8') : name);

export function craftZip(entries: CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = bytesOf(entry.name);
    const localName = bytesOf(entry.localName ?? entry.name);
    const extra = entry.extra ?? Buffer.alloc(0);
    const method = entry.method ?? 0;
    const flags = entry.flags ?? 0x0800;
    const size = entry.uncompressedSize ?? (entry.plain ?? entry.data).length;
    const crc = crc32(entry.plain ?? entry.data);
    const dosTime = 0;
    const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const localRecord = Buffer.concat([local, localName, extra, entry.data]);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.versionMadeBy ?? 0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(entry.externalAttributes ?? (0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(Buffer.concat([central, name, extra]));

    locals.push(localRecord);
    offset += localRecord.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A raw deflate stream of `mebibytes` MiB of zeros, about 1 KiB per MiB, made without ever holding the
 * output: one MiB of zeros is deflated once with a sync flush (which ends on a byte boundary), and that
 * segment repeated; each copy starts with a literal zero and back-references only zeros, so the copies chain
 * into one valid stream, closed by an empty final block.
 */
export function zeroBomb(mebibytes: number): Buffer {
  return Buffer.concat([...zeroSegments(mebibytes), FINAL_EMPTY_BLOCK]);
}

/**
 * A deflate stream that inflates to `mebibytes` MiB of zeros and then turns invalid: an unpacker that
 * inflates past that point fails with a corrupt-data error instead of the refusal a test expects. It
 * proves, without timing anything, that inflation stopped (or never started) where it had to.
 */
export function tripwireBomb(mebibytes: number): Buffer {
  return Buffer.concat([...zeroSegments(mebibytes), INVALID_BLOCK]);
}

function zeroSegments(mebibytes: number): Buffer[] {
  const segment = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
  return Array.from({ length: mebibytes }, () => segment);
}

const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]); // BFINAL=1, fixed Huffman, end-of-block
const INVALID_BLOCK = Buffer.from([0xff, 0xff, 0xff, 0xff]); // BTYPE=11 is reserved: "invalid block type"
