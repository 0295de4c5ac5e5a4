import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The licence texts of the npm packages bundled into the agent, one section each, sorted by package.
 * Bundling drops the packages' LICENSE files, which their licences require to be passed on.
 */
export function thirdPartyLicenses(repoRoot: string, packageDirs: readonly string[]): string {
  const sections = packageDirs.map((dir) => {
    const abs = join(repoRoot, dir);
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = readdirSync(abs)
      .sort()
      .find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const text = file
      ? readFileSync(join(abs, file), 'utf8').trim()
      : `(no licence file in the package; package.json says ${pkg.license ?? 'nothing'})`;
    return `${pkg.name} ${pkg.version} — ${pkg.license ?? 'licence not declared'}\n\n${text}\n`;
  });
  return `Third-party software bundled into lib/switchyard-agent.mjs\n\n${sections.join(`\n${'-'.repeat(78)}\n\n`)}`;
}
