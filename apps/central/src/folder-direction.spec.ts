// Dependencies between central's folders point one way (docs/architecture.md). madge finds cycles between
// files; this finds a folder importing one it must not, before a cycle of folders can form.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CENTRAL_SRC as ROOT, centralSources as sources } from './testing/central-sources.js';

/**
 * `from → to` edges that must not exist: the right-hand folder depends on the left-hand one. The same list
 * drives the lint rule (eslint/folder-direction.js), so `npm run lint` and this spec cannot disagree.
 */
const FORBIDDEN = (
  JSON.parse(readFileSync(join(ROOT, '..', '..', '..', 'eslint', 'folder-direction.json'), 'utf8')) as {
    forbidden: Array<[string, string, string]>;
  }
).forbidden.map(([from, to]) => [from, to] as [string, string]);

describe("central's folders depend on each other one way", () => {
  it.each(FORBIDDEN)('%s/ does not import from %s/', (from, to) => {
    const offenders = sources(join(ROOT, from)).filter((file) =>
      new RegExp(`from '(\\.\\./)+${to}/`).test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });
});
