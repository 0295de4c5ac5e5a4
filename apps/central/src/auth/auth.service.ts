import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { type Actor } from '../common/request-context.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { hashPassword, hashSecret, newSecret, verifyPassword } from '../crypto/secrets.js';
import { AdminSessionsRepository } from '../users/admin-sessions.repository.js';
import { UsersRepository, type AdminUser } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { type Role } from '../common/roles.js';

/** A fixed hash so an unknown user name costs the same time as a wrong password. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** The one message for every refused login: it never tells whether the user exists. */
export const LOGIN_FAILED = 'wrong user name or password';
export const LOGIN_LIMITED = 'too many login attempts, try again later';

/** A request's session, as the guard found it. */
export interface SessionContext {
  actor: Actor;
  role: Role;
  tokenHash: string;
  csrfHash: string | null;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly accounts: UsersRepository,
    private readonly sessions: AdminSessionsRepository,
    private readonly audit: AuditService,
    private readonly limiter: LoginRateLimiter,
    private readonly users: UsersService,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  /**
   * Creates the first admin when there is none. The generated password is returned (to be printed
   * once on the console by main.ts) and never stored in clear or logged elsewhere.
   */
  async ensureFirstAdmin(): Promise<{ username: string; generatedPassword: string | undefined } | undefined> {
    if ((await this.accounts.count()) > 0) return undefined;
    const generated = this.config.adminPassword ? undefined : randomBytes(15).toString('base64url');
    const created = await this.accounts.create(
      'admin',
      'admin',
      await hashPassword(this.config.adminPassword ?? generated!),
    );
    // Another node of a cluster booting at the same time made it first: its password is the one.
    if (!created) return undefined;
    await this.audit.record('system', 'create first admin', 'success', 'admin', {
      passwordFrom: generated ? 'generated' : 'SWITCHYARD_ADMIN_PASSWORD',
    });
    return { username: 'admin', generatedPassword: generated };
  }

  /** Checks the rate limit, then the password; every outcome is audited (user name and address, UTC). */
  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ token: string; csrfToken: string; user: AdminUser }> {
    const who = { username, address };
    const gate = await this.limiter.begin(username, address);
    if (!gate.allowed) {
      await this.audit.record(who, 'login', 'refused', username, { reason: `rate limited (${gate.limit})` });
      this.logger.warn(`login rate limit (${gate.limit}) for "${username.slice(0, 64)}" from ${address}`);
      throw new DomainError('too_many_login_attempts', LOGIN_LIMITED, {
        retryAfterSeconds: gate.retryAfterSeconds,
      });
    }
    const user = await this.accounts.findCredentials(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await gate.failed();
      await this.audit.record(who, 'login', 'refused', username, { reason: 'wrong user name or password' });
      this.logger.warn(`failed login for "${username.slice(0, 64)}" from ${address}`);
      throw new DomainError('login_failed', LOGIN_FAILED);
    }
    await gate.succeeded();
    await this.sessions.deleteExpired(this.config.session.idleSeconds);
    const token = newSecret('sys_');
    const csrfToken = newSecret('syc_');
    await this.sessions.create(
      { tokenHash: hashSecret(token), csrfHash: hashSecret(csrfToken), userId: user.id, address },
      this.config.session.maxSeconds,
    );
    await this.audit.record(who, 'login', 'success', username, { role: user.role });
    return { token, csrfToken, user };
  }

  async logout(token: string): Promise<void> {
    await this.sessions.endByToken(hashSecret(token));
  }

  /**
   * The session behind a cookie for an API request, or undefined (an expired session is deleted on
   * the way). The request counts as activity: the idle limit starts again.
   */
  async session(token: string | undefined, address: string): Promise<SessionContext | undefined> {
    if (!token) return undefined;
    const tokenHash = hashSecret(token);
    const live = await this.sessions.use(tokenHash, this.config.session.idleSeconds);
    if (!live) {
      await this.sessions.endByToken(tokenHash);
      return undefined;
    }
    return {
      actor: { userId: live.user.id, username: live.user.username, address },
      role: live.user.role,
      tokenHash,
      csrfHash: live.csrfHash,
    };
  }

  /**
   * Who a session cookie belongs to while the session is live, without counting as activity (a page
   * left open that re-checks its socket must not keep the session alive forever).
   */
  async authenticate(token: string | undefined, address: string): Promise<Actor | undefined> {
    if (!token) return undefined;
    const user = await this.sessions.peek(hashSecret(token), this.config.session.idleSeconds);
    return user ? { userId: user.id, username: user.username, address } : undefined;
  }

  /**
   * A user changes their own password with the current one. Wrong guesses count against the login
   * rate limit (a stolen session must not become a password oracle); the user's other sessions end.
   */
  async changeOwnPassword(
    session: SessionContext,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const { username, address } = session.actor;
    const gate = await this.limiter.begin(username, address);
    if (!gate.allowed) {
      throw new DomainError('too_many_login_attempts', LOGIN_LIMITED, {
        retryAfterSeconds: gate.retryAfterSeconds,
      });
    }
    const user = await this.accounts.findCredentials(username);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) {
      await gate.failed();
      throw new DomainError('current_password_wrong', 'the current password is wrong');
    }
    await gate.succeeded();
    await this.users.setPassword(username, newPassword, session.tokenHash);
  }
}
