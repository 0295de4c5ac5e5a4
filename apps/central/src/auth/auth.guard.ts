import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { clientAddress } from '../common/request-context.js';
import { hashSecret, sameHash } from '../crypto/secrets.js';
import { AuthService, type SessionContext } from './auth.service.js';
import { IS_PUBLIC } from './public.decorator.js';
import { ROLES_KEY } from './roles.decorator.js';
import { type Role } from '../common/roles.js';
import { allowedRoles, isRead } from './route-policy.js';
import { readCsrfHeader, readSessionCookie } from './session-cookie.js';
import { type SessionRequest } from './session-request.js';

/**
 * Global guard for every /api route not marked @Public(), in this order:
 * 1. a live session (cookie) ⇒ otherwise 401;
 * 2. for writes, the session's CSRF token in `X-CSRF-Token` ⇒ otherwise 403 `csrf_failed`;
 * 3. the role the route policy (or `@Roles()`) asks for ⇒ otherwise 403 `forbidden`.
 * Guards run before interceptors, so the audit interceptor never sees these refusals: the 403s are
 * audited here.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<SessionRequest>();
    const session = await this.auth.session(readSessionCookie(req), clientAddress(req));
    if (!session) throw new DomainError('login_required', 'log in first (POST /api/auth/login)');
    req.actor = session.actor;
    req.session = session;

    // The route as declared (not the URL as sent: Express matches paths case-insensitively and
    // decodes them, the declared pattern is what the policy table is written against).
    const route = routeOf(req);
    if (!isRead(req.method) && !this.csrfMatches(session, readCsrfHeader(req))) {
      await this.refuse(req, session, route, { reason: 'missing or wrong X-CSRF-Token' });
      throw new DomainError(
        'csrf_token_invalid',
        'missing or wrong X-CSRF-Token header (send the csrfToken from login, also in the switchyard_csrf cookie)',
      );
    }
    const handlerRoles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const allowed = allowedRoles(req.method, route, handlerRoles);
    if (!allowed.includes(session.role)) {
      await this.refuse(req, session, route, { reason: 'role', role: session.role, requiredRoles: allowed });
      throw new DomainError(
        'role_insufficient',
        `this needs the ${allowed.join(' or ')} role; you are ${session.role}`,
        { requiredRoles: allowed, role: session.role },
      );
    }
    return true;
  }

  private csrfMatches(session: SessionContext, header: string | undefined): boolean {
    return !!header && !!session.csrfHash && sameHash(hashSecret(header), session.csrfHash);
  }

  private async refuse(
    req: SessionRequest,
    session: SessionContext,
    route: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const target = Object.values(req.params ?? {}).join('/') || null;
    await this.audit.record(session.actor, `${req.method} ${route}`, 'refused', target, details);
  }
}

function routeOf(req: SessionRequest): string {
  const declared = (req.route as { path?: unknown } | undefined)?.path;
  return typeof declared === 'string' ? declared : req.path.toLowerCase();
}
