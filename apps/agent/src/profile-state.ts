import { readFileSync } from 'node:fs';
import type { AgentHome } from './agent-home.js';

const SHA256 = /^[0-9a-f]{64}$/;

/** The sha256 of the profile the agent actually runs (`state/profile.sha256`), or null if none or unreadable. */
export function readProfileSha256(home: AgentHome, warn: (message: string) => void): string | null {
  let text: string;
  try {
    text = readFileSync(home.profileSha256File, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      warn(`cannot read ${home.profileSha256File} (${code ?? error}); reporting no profile`);
    return null;
  }
  const sha = text.trim().toLowerCase();
  if (SHA256.test(sha)) return sha;
  warn(`${home.profileSha256File} does not hold a sha256; reporting no profile`);
  return null;
}
