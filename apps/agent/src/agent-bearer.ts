import type { Welcome } from '../../../libs/protocol/index.js';
import type { AgentHome } from './agent-home.js';
import { CredentialStore } from './credential-store.js';
import type { Logger } from './logger.js';

/** The secret the agent presents: its enrollment token until central issues a credential. Never logged. */
export class AgentBearer {
  private readonly store: CredentialStore;
  private current: string;

  constructor(
    private readonly home: AgentHome,
    private readonly logger: Logger,
    credential: string | undefined,
    enrollmentToken: string | undefined,
  ) {
    this.store = new CredentialStore(home);
    const secret = credential ?? enrollmentToken;
    if (secret === undefined) throw new Error('AgentRunner needs a credential or an enrollment token');
    this.current = secret;
  }

  get secret(): string {
    return this.current;
  }

  /** A welcome that issues a credential: stored before anything else, an enrollment token may be single-use. */
  enroll(welcome: Welcome): void {
    if (welcome.credential === undefined) return;
    try {
      this.store.write(welcome.credential);
    } catch (error) {
      throw new Error(
        `cannot store the credential in ${this.home.credentialFile}: ${(error as Error).message}`,
      );
    }
    this.current = welcome.credential;
    this.logger.info(`enrolled as ${welcome.agentId}; credential stored in state/credential`);
  }

  /** Central revoked the agent: the credential goes aside, so that a start with --token enrolls again. */
  retire(): void {
    try {
      this.store.retire();
    } catch (error) {
      this.logger.warn(`cannot move the revoked credential aside: ${(error as Error).message}`);
    }
  }
}
