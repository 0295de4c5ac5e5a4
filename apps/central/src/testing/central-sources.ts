import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** apps/central/src, from the repository root jest runs in. */
export const CENTRAL_SRC = join(process.cwd(), 'apps', 'central', 'src');

/** The TypeScript sources below `dir`, specs left out: what the structure checks read. */
export function centralSources(dir: string = CENTRAL_SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? centralSources(join(dir, e.name))
      : /\.ts$/.test(e.name) && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );
}
