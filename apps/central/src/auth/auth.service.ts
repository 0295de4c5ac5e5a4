import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import { ErrorCode, DomainError } from '../common/domain-error.js';
import { type Actor } from '../common/request-context.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { hashPassword, hashSecret, newSecret, verifyPassword } from '../crypto/secrets.js';
import { AuthRepository, type AdminUser } from './auth.repository.js';

export const SESSION_TTL_SECONDS = 8 * 3600;

/** A fixed hash so an unknown user name costs the same time as a wrong password. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

@Injectable()
export class AuthService {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly repo: AuthRepository,
    private readonly audit: AuditService,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  /**
   * Creates the first admin when there is none. The generated password is returned (to be printed
   * once on the console by main.ts) and never stored in clear or logged elsewhere.
   */
  async ensureFirstAdmin(): Promise<{ username: string; generatedPassword: string | undefined } | undefined> {
    if ((await this.repo.countUsers()) > 0) return undefined;
    const generated = this.config.adminPassword ? undefined : randomBytes(15).toString('base64url');
    await this.repo.createUser('admin', await hashPassword(this.config.adminPassword ?? generated!), 'admin');
    await this.audit.record('system', 'create first admin', 'success', 'admin', {
      passwordFrom: generated ? 'generated' : 'SWITCHYARD_ADMIN_PASSWORD',
    });
    return { username: 'admin', generatedPassword: generated };
  }

  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ token: string; user: AdminUser }> {
    const user = await this.repo.findUser(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.audit.record({ username, address }, 'login', 'refused', username, {});
      this.logger.warn(`failed login for "${username.slice(0, 64)}" from ${address}`);
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'wrong user name or password');
    }
    const token = newSecret('sys_');
    await this.repo.createSession(hashSecret(token), user.id, address, SESSION_TTL_SECONDS);
    await this.audit.record({ username, address }, 'login', 'success', username);
    return { token, user };
  }

  async logout(token: string): Promise<void> {
    await this.repo.deleteSession(hashSecret(token));
  }

  async authenticate(token: string | undefined, address: string): Promise<Actor | undefined> {
    if (!token) return undefined;
    const user = await this.repo.findSessionUser(hashSecret(token));
    return user ? { userId: user.id, username: user.username, address } : undefined;
  }
}
