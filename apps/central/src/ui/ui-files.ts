import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file of the built UI, found once at boot: requests can only ever reach files listed here. */
export interface UiFile {
  path: string;
  contentType: string;
  /** Content-hashed asset names never change content: browsers may keep them forever. */
  immutable: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Paths the UI must never answer, even when nothing else matched them (the API's own 404 wins). */
const RESERVED = [/^\/api(\/|$)/, /^\/metrics(\/|$)/, /^\/\.well-known(\/|$)/];

export function isReservedPath(pathname: string): boolean {
  return RESERVED.some((r) => r.test(pathname));
}

/** `<repo>/dist/ui`, found by walking up to package.json (works from the sources and from dist/). */
export function findUiFolder(fromUrl: string): string | undefined {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'ui');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Every file under `root`, keyed by its URL path (`/assets/app-1a2b.js`). */
export function listUiFiles(root: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  if (!existsSync(root)) return files;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = '/' + relative(root, path).split(sep).join('/');
        files.set(url, {
          path,
          contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
          immutable: url.startsWith('/assets/'),
        });
      }
    }
  };
  walk(root);
  return files;
}
