import { Injectable } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_AGENT_CONF_BYTES } from './profile-agent-conf.js';
import { PROFILE_NAME_PATTERN } from '../../../../libs/api/profile-requests.js';

export interface ProfileTemplate {
  name: string;
  agentConf: string;
}

/**
 * The profile templates shipped in the repository: `profiles/<name>/conf/agent.conf`. The folder is found
 * by walking up from this file to the repository root (works from the sources and from `dist/`).
 */
@Injectable()
export class ProfileTemplates {
  private templates: Map<string, ProfileTemplate> | undefined;
  private readonly folder = findProfilesFolder(import.meta.url);

  all(): ProfileTemplate[] {
    return [...this.load().values()];
  }

  find(name: string): ProfileTemplate | undefined {
    return this.load().get(name);
  }

  private load(): Map<string, ProfileTemplate> {
    if (this.templates) return this.templates;
    this.templates = new Map();
    if (!this.folder) return this.templates;
    for (const name of readdirSync(this.folder).sort()) {
      const file = join(this.folder, name, 'conf', 'agent.conf');
      if (!PROFILE_NAME_PATTERN.test(name) || !existsSync(file)) continue;
      if (statSync(file).size > MAX_AGENT_CONF_BYTES) continue; // refused later with a clear message anyway
      this.templates.set(name, { name, agentConf: readFileSync(file, 'utf8') });
    }
    return this.templates;
  }
}

/** `<repository>/profiles`: the first ancestor folder holding switchyard's package.json and a profiles/ folder. */
export function findProfilesFolder(from: string): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const candidate = join(dir, 'profiles');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate) && statSync(candidate).isDirectory()) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
        if (pkg.name === 'switchyard') return candidate;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
