import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildProfileArchive,
  extractProfileArchive,
  generateProfileSigningKey,
  openProfileArchive,
  ProfileArchiveErrorCode as Code,
} from './index.js';
import { refusal, sampleInput } from './testing/profile-archive.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('extractProfileArchive', () => {
  let workDir: string;

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'profile-extract-'));
  });
  afterEach(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('writes the verified files into a fresh staging folder, private under conf/security', async () => {
    const keys = generateProfileSigningKey();
    const built = await buildProfileArchive(sampleInput(), keys.privateKey);
    const opened = await openProfileArchive(built.archive, { publicKey: keys.publicKey });
    const staging = join(workDir, 'staging');

    const paths = await extractProfileArchive(opened, staging);

    expect(paths).toEqual([
      join(staging, 'conf/agent.conf'),
      join(staging, 'conf/security/truststore.jks'),
      join(staging, 'conf/security/truststore.p12'),
    ]);
    for (const { path, bytes } of sampleInput().files)
      expect(readFileSync(join(staging, path))).toEqual(bytes);
    expect(modeOf(join(staging, 'conf/agent.conf'))).toBe(0o644);
    expect(modeOf(join(staging, 'conf/security/truststore.jks'))).toBe(0o600);
    expect(modeOf(join(staging, 'conf/security/truststore.p12'))).toBe(0o600);
    expect(modeOf(staging)).toBe(0o755);
    expect(modeOf(join(staging, 'conf'))).toBe(0o755);
    expect(modeOf(join(staging, 'conf/security'))).toBe(0o700);
  });

  it('sets the modes whatever the umask', async () => {
    const previous = process.umask(0o077);
    try {
      await extractProfileArchive(
        { files: new Map([['conf/agent.conf', Buffer.from('a=1\n')]]) },
        join(workDir, 's'),
      );
    } finally {
      process.umask(previous);
    }
    expect(modeOf(join(workDir, 's/conf/agent.conf'))).toBe(0o644);
    expect(modeOf(join(workDir, 's/conf'))).toBe(0o755);
  });

  it('refuses a staging folder that exists', async () => {
    const staging = join(workDir, 'staging');
    mkdirSync(staging);
    expect(await refusal(extractProfileArchive({ files: new Map() }, staging))).toMatchObject({
      code: Code.STAGING_EXISTS,
      message: `staging folder ${JSON.stringify(staging)} already exists; it must be fresh`,
    });
  });

  it('refuses a staging path that is a symlink, and writes nothing through it', async () => {
    const target = join(workDir, 'elsewhere');
    mkdirSync(target);
    const staging = join(workDir, 'staging');
    symlinkSync(target, staging);
    const files = new Map([['conf/agent.conf', Buffer.from('a=1\n')]]);
    expect(await refusal(extractProfileArchive({ files }, staging))).toMatchObject({
      code: Code.STAGING_EXISTS,
    });
    expect(existsSync(join(target, 'conf'))).toBe(false);
    expect(lstatSync(staging).isSymbolicLink()).toBe(true);
  });

  it('refuses an unsafe path handed to it directly, before creating anything', async () => {
    const staging = join(workDir, 'staging');
    const files = new Map([['../escape.txt', Buffer.from('x')]]);
    expect(await refusal(extractProfileArchive({ files }, staging))).toMatchObject({
      code: Code.UNSAFE_PATH,
      message: `entry "../escape.txt" has a '..' segment`,
    });
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(join(workDir, 'escape.txt'))).toBe(false);
  });

  it('removes the staging folder when a write fails', async () => {
    const staging = join(workDir, 'staging');
    // "conf" as a file, then "conf/agent.conf" needs it as a folder.
    const files = new Map([
      ['conf', Buffer.from('x')],
      ['conf/agent.conf', Buffer.from('a=1\n')],
    ]);
    await expect(extractProfileArchive({ files }, staging)).rejects.toThrow();
    expect(existsSync(staging)).toBe(false);
  });
});
