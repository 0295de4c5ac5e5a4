import { readFileSync } from 'node:fs';
import { CENTRAL_NODE_FLAGS, missingNodeFlags } from './runtime-flags.js';

describe('central runtime flags', () => {
  it('are the flags `npm start` runs central with', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toContain(`node ${CENTRAL_NODE_FLAGS.join(' ')} bin/switchyard-central.js`);
  });

  it('tells which flags a process was started without, from its command line or NODE_OPTIONS', () => {
    expect(missingNodeFlags([], '')).toEqual([...CENTRAL_NODE_FLAGS]);
    expect(missingNodeFlags(['--max-semi-space-size=32'], '')).toEqual([]);
    expect(missingNodeFlags([], '--enable-source-maps --max-semi-space-size=64')).toEqual([]);
    expect(missingNodeFlags(['--inspect'], '--max-old-space-size=4096')).toEqual([...CENTRAL_NODE_FLAGS]);
  });
});
