import { type AuthenticatedRequest } from '../common/request-context.js';
import { type SessionContext } from './auth.service.js';

/** A request the guard let through: the actor (for audit) and the session behind it. */
export interface SessionRequest extends AuthenticatedRequest {
  session?: SessionContext;
}
