import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { type SessionContext } from './auth.service.js';
import { AdminSessionsRepository, type SessionSummary } from '../users/admin-sessions.repository.js';

/**
 * Who is logged in, and ending a login: everyone sees and ends their own sessions, an admin everyone's
 * (a lost laptop, a departed colleague). A session someone may not see answers "no session", so
 * an id never tells whether it exists.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: AdminSessionsRepository,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  list(session: SessionContext, scope: 'mine' | 'all'): Promise<SessionSummary[]> {
    if (scope === 'all' && session.role !== 'admin') {
      throw new DomainError(
        'role_insufficient',
        `everyone's sessions need the admin role; you are ${session.role} (leave out scope=all for yours)`,
        { requiredRoles: ['admin'], role: session.role },
      );
    }
    const userId = scope === 'all' ? null : (session.actor.userId ?? null);
    return this.repo.list(userId, this.config.session.idleSeconds, session.tokenHash);
  }

  async end(session: SessionContext, id: string): Promise<{ ended: string; username: string }> {
    const onlyOwn = session.role === 'admin' ? null : (session.actor.userId ?? null);
    const username = await this.repo.endById(id, onlyOwn);
    if (!username)
      throw new DomainError('session_not_found', `no session "${id}" (it may have ended already)`);
    return { ended: id, username };
  }
}
