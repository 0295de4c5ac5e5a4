// Dependencies between central's folders point one way (docs/architecture.md). madge finds cycles between
// files; this finds a folder importing one it must not, before a cycle of folders can form.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CENTRAL_SRC as ROOT, centralSources as sources } from './testing/central-sources.js';

/** `from → to` edges that must not exist: the right-hand folder depends on the left-hand one. */
const FORBIDDEN: Array<[string, string]> = [
  ['listeners', 'settings'], // settings → listeners
  ['users', 'auth'], // auth → users
  ['auth', 'api-docs'], // api-docs → auth (the ApiDoc decorator lives in common/)
  ['acme', 'api-docs'],
  ['common', 'auth'],
  ['agents', 'rollouts'], // rollouts → agents
  ['agents', 'migration'],
  ['certificates', 'rotation'], // rotation → certificates
  ['certificates', 'acme'], // acme → certificates
];

describe("central's folders depend on each other one way", () => {
  it.each(FORBIDDEN)('%s/ does not import from %s/', (from, to) => {
    const offenders = sources(join(ROOT, from)).filter((file) =>
      new RegExp(`from '(\\.\\./)+${to}/`).test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });
});
