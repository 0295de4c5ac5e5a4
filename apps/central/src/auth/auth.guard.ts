import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import { AuthService } from './auth.service.js';
import { IS_PUBLIC } from './public.decorator.js';
import { readSessionCookie } from './session-cookie.js';

/** Global guard: every /api route needs a valid session unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const actor = await this.auth.authenticate(readSessionCookie(req), clientAddress(req));
    if (!actor) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'log in first (POST /api/auth/login)');
    req.actor = actor;
    return true;
  }
}
