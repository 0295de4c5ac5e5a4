import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { validateArchivePath } from './archive-path.validation.js';
import { ProfileArchiveError, ProfileArchiveErrorCode, quoteName } from './profile-archive.errors.js';
import type { OpenedProfileArchive } from './profile-archive.types.js';

/** Truststores and anything else under this folder are readable by the agent's user only. */
const PRIVATE_FOLDER = 'conf/security';
const MODES = {
  privateFile: 0o600,
  publicFile: 0o644,
  privateDir: 0o700,
  publicDir: 0o755,
} as const;

/**
 * Writes the verified files of an opened archive under `stagingDir`, which must not exist yet (it is created
 * here, so everything inside is ours). Files under conf/security get mode 0600 and their folders 0700, the
 * rest 0644/0755, whatever the umask. Files are created with O_EXCL|O_NOFOLLOW and folders one level at a
 * time, so no symlink is ever followed; every file and folder is fsynced so the agent can rename the
 * staging folder into place knowing its content is on disk. On failure the staging folder is removed.
 *
 * @returns the absolute paths of the files written, in archive path order.
 * @throws ProfileArchiveError STAGING_EXISTS when `stagingDir` exists (even as a symlink), UNSAFE_PATH for a
 *   path the opener would have refused.
 */
export async function extractProfileArchive(
  opened: Pick<OpenedProfileArchive, 'files'>,
  stagingDir: string,
): Promise<string[]> {
  const root = resolve(stagingDir);
  const paths = [...opened.files.keys()].sort();
  paths.forEach(validateArchivePath); // `opened` may not come from openProfileArchive
  try {
    await mkdir(root, { mode: MODES.publicDir });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ProfileArchiveError(
        ProfileArchiveErrorCode.STAGING_EXISTS,
        `staging folder ${quoteName(root)} already exists; it must be fresh`,
      );
    }
    throw error;
  }
  try {
    await chmod(root, MODES.publicDir);
    const folders = new Set<string>();
    const written: string[] = [];
    for (const path of paths) {
      await makeFolders(root, dirname(path), folders);
      written.push(await writeNewFile(join(root, path), opened.files.get(path)!, modeOf(path, 'file')));
    }
    for (const folder of [...folders].sort().reverse()) await fsyncPath(join(root, folder));
    await fsyncPath(root);
    return written;
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

const isPrivate = (path: string) => path === PRIVATE_FOLDER || path.startsWith(`${PRIVATE_FOLDER}/`);
const modeOf = (path: string, kind: 'file' | 'dir') =>
  kind === 'file'
    ? isPrivate(path)
      ? MODES.privateFile
      : MODES.publicFile
    : isPrivate(path)
      ? MODES.privateDir
      : MODES.publicDir;

/** Creates each missing folder of `folder` (relative to root) one level at a time, refusing anything not a real folder. */
async function makeFolders(root: string, folder: string, made: Set<string>): Promise<void> {
  if (folder === '.' || made.has(folder)) return;
  await makeFolders(root, dirname(folder), made);
  const absolute = join(root, folder);
  try {
    await mkdir(absolute, { mode: modeOf(folder, 'dir') });
    await chmod(absolute, modeOf(folder, 'dir'));
  } catch (error) {
    // Only a folder this extraction made may already exist; lstat does not follow a symlink planted there.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await lstat(absolute)).isDirectory())
      throw error;
  }
  made.add(folder);
}

async function writeNewFile(path: string, bytes: Buffer, mode: number): Promise<string> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    await handle.chmod(mode); // the umask may have narrowed or the mode argument been ignored
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return path;
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
