import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import { type ArchiveEntry, archiveTime } from './archive-entry.js';
import { tarGz } from './tar-gz.js';
import { zipArchive } from './zip.js';

const MTIME = new Date(Date.UTC(2020, 0, 1));
const longDir = `pkg/${'deep-folder-name/'.repeat(7)}`; // > 100 bytes: needs the ustar prefix field
const entries: ArchiveEntry[] = [
  { path: 'pkg/lib/b.txt', data: Buffer.from('bee\n'), mode: 0o644 },
  { path: 'pkg/bin/run', data: Buffer.from('#!/bin/sh\necho run\n'), mode: 0o755 },
  { path: `${longDir}file.txt`, data: Buffer.alloc(1500, 'x'), mode: 0o644 },
  { path: 'pkg/a.txt', data: Buffer.from('a'), mode: 0o644 },
];

function zipListing(zip: Buffer): Promise<Array<{ name: string; text: string; mode: number; time: string }>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error) return reject(error);
      const out: Array<{ name: string; text: string; mode: number; time: string }> = [];
      file.on('entry', (entry: yauzl.Entry) => {
        const mode = (entry.externalFileAttributes >>> 16) & 0o777;
        const time = entry.getLastModDate({ forceDosFormat: true, timezone: 'UTC' }).toISOString();
        if (entry.fileName.endsWith('/')) {
          out.push({ name: entry.fileName, text: '', mode, time });
          return file.readEntry();
        }
        file.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, text: Buffer.concat(chunks).toString(), mode, time });
            file.readEntry();
          });
        });
      });
      file.on('end', () => resolve(out));
      file.readEntry();
    });
  });
}

describe('agent package archives', () => {
  it('writes a tar.gz that the system tar unpacks with contents, modes, folders and the fixed mtime', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-tar-'));
    const file = join(dir, 'a.tar.gz');
    writeFileSync(file, tarGz(entries, MTIME));
    execFileSync('tar', ['-xzf', file, '-C', dir]);
    expect(readFileSync(join(dir, 'pkg/bin/run'), 'utf8')).toBe('#!/bin/sh\necho run\n');
    expect(statSync(join(dir, 'pkg/bin/run')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'pkg/lib/b.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, longDir, 'file.txt'), 'utf8')).toBe('x'.repeat(1500));
    expect(statSync(join(dir, 'pkg/a.txt')).mtime.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.slice(0, 4)).toEqual(['pkg/', 'pkg/a.txt', 'pkg/bin/', 'pkg/bin/run']);
    expect(listing).toHaveLength(entries.length + 3 + 7); // pkg/, pkg/bin/, pkg/lib/ and 7 deep folders
  });

  it('gives the same bytes for the same entries in any order, and a tar padded to whole records', () => {
    const a = tarGz(entries, MTIME);
    const b = tarGz([...entries].reverse(), MTIME);
    expect(b.equals(a)).toBe(true);
    expect(gunzipSync(a).length % 10_240).toBe(0);
    expect(tarGz(entries, new Date(Date.UTC(2021, 0, 1))).equals(a)).toBe(false);
  });

  it('writes a zip with the same entries, Unix modes and the fixed time, whatever the time zone', async () => {
    const zip = await zipArchive(entries, MTIME);
    const listed = await zipListing(zip);
    expect(listed.map((e) => e.name)).toEqual(
      execFileSync('tar', ['-tzf', '-'], { input: tarGz(entries, MTIME), encoding: 'utf8' })
        .trim()
        .split('\n'),
    );
    expect(listed.find((e) => e.name === 'pkg/bin/run')).toEqual({
      name: 'pkg/bin/run',
      text: '#!/bin/sh\necho run\n',
      mode: 0o755,
      time: '2020-01-01T00:00:00.000Z',
    });
    expect((await zipArchive([...entries].reverse(), MTIME)).equals(zip)).toBe(true);
    const tz = process.env.TZ;
    try {
      for (const zone of ['Pacific/Auckland', 'America/Los_Angeles']) {
        process.env.TZ = zone; // Node applies a changed TZ at once
        expect((await zipArchive(entries, MTIME)).equals(zip)).toBe(true);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('refuses paths that would escape the folder they are unpacked into', () => {
    for (const path of ['../x', '/etc/x', 'pkg/../../x', 'pkg\\x']) {
      expect(() => tarGz([{ path, data: Buffer.alloc(0), mode: 0o644 }], MTIME)).toThrow(
        `unsafe archive path "${path}"`,
      );
    }
  });

  it('takes the mtime from SOURCE_DATE_EPOCH, and names a malformed one', () => {
    expect(archiveTime({}).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(archiveTime({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(() => archiveTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      'SOURCE_DATE_EPOCH must be whole seconds, not "yesterday"',
    );
  });
});
