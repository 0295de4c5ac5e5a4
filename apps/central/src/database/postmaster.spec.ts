import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimOwnership, ownerOf, releaseOwnership } from './embedded-postgres-owner.js';
import { liveProcess, postmasterState } from './postmaster.js';

describe('postmaster.pid, checked against the process table', () => {
  let dir: string;
  const lock = (pid: number, dataDir = dir) =>
    writeFileSync(join(dir, 'postmaster.pid'), `${pid}\n${dataDir}\n`);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sy-postmaster-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says stopped without a lock file', () => {
    expect(postmasterState(dir)).toEqual({ kind: 'stopped' });
  });

  it('calls a lock stale when its pid is gone, is not PostgreSQL, or was written for another folder', async () => {
    const child = spawn('sleep', ['30']);
    const pid = child.pid!;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    lock(pid);
    expect(postmasterState(dir)).toMatchObject({ kind: 'stale', reason: `process ${pid} is gone` });
    lock(process.pid); // this test runner: alive, but not a postgres
    expect(postmasterState(dir)).toMatchObject({
      kind: 'stale',
      reason: expect.stringContaining('not PostgreSQL'),
    });
    lock(process.pid, '/somewhere/else/pg');
    expect(postmasterState(dir)).toMatchObject({
      kind: 'stale',
      reason: 'it was written for /somewhere/else/pg',
    });
  });

  it('sees a killed process that nobody reaped (a zombie) as gone', async () => {
    // A grandchild whose parent (the shell) dies first is re-parented to pid 1, which in a container
    // often never reaps: killed, it stays a zombie (state Z in /proc) that signal 0 still finds.
    const child = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number(
      await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString()))),
    );
    expect(liveProcess(pid)).toBeDefined();
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    expect(liveProcess(pid)).toBeUndefined(); // reaped or zombie: gone either way
  });
});

describe('the owner of the embedded server', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sy-owner-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is this process once claimed, nobody once released', () => {
    expect(ownerOf(dir)).toBe('none');
    claimOwnership(dir);
    expect(ownerOf(dir)).toBe('me');
    releaseOwnership(dir);
    expect(ownerOf(dir)).toBe('none');
  });

  it('is another process only while that very process lives (pid and start time)', () => {
    const parent = liveProcess(process.ppid)!;
    writeFileSync(
      join(dir, 'pg-owner.json'),
      JSON.stringify({ pid: process.ppid, startTime: parent.startTime }),
    );
    expect(ownerOf(dir)).toBe('other');
    releaseOwnership(dir); // not ours to release
    expect(ownerOf(dir)).toBe('other');
    // The same pid with another start time: a new process that reuses the number (reboot, new container).
    writeFileSync(
      join(dir, 'pg-owner.json'),
      JSON.stringify({ pid: process.ppid, startTime: parent.startTime + 1 }),
    );
    expect(ownerOf(dir)).toBe('none');
    writeFileSync(join(dir, 'pg-owner.json'), '{"pid": 12'); // cut short by a crash
    expect(ownerOf(dir)).toBe('none');
  });
});
