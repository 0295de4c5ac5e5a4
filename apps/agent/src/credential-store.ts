import { readFileSync, renameSync } from 'node:fs';
import { ensureDirectory, writeFileAtomic } from './atomic-file.js';
import type { AgentHome } from './agent-home.js';

export const STATE_DIR_MODE = 0o700;
export const CREDENTIAL_FILE_MODE = 0o600;

/** The agent's own credential, issued by central on enrollment; kept in `state/credential` (0600). */
export class CredentialStore {
  constructor(private readonly home: AgentHome) {}

  /** The stored credential, or undefined when the agent has not enrolled yet. */
  read(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.home.credentialFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const credential = text.trim();
    return credential === '' ? undefined : credential;
  }

  write(credential: string): void {
    ensureDirectory(this.home.stateDir, STATE_DIR_MODE);
    writeFileAtomic(this.home.credentialFile, credential + '\n', CREDENTIAL_FILE_MODE);
  }

  /**
   * Moves a revoked credential aside, so that the next start with `--token` enrolls again instead of
   * presenting a credential central no longer accepts.
   */
  retire(): void {
    try {
      renameSync(this.home.credentialFile, this.home.credentialFile + '.revoked');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
