import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FALLBACK_VERSION = '0.0.0-unknown';

/**
 * The agent's version: that of the repository's package.json, found by walking up from this file
 * (works from the sources under jest and from `dist/apps/agent/src`).
 */
export function readAgentVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'switchyard' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return FALLBACK_VERSION;
    dir = parent;
  }
}

/** Set by esbuild when the agent package is built (it has no package.json to read; ADR 38). */
declare const SWITCHYARD_AGENT_PACKAGE_VERSION: string | undefined;

export const AGENT_VERSION =
  typeof SWITCHYARD_AGENT_PACKAGE_VERSION === 'string'
    ? SWITCHYARD_AGENT_PACKAGE_VERSION
    : readAgentVersion();
