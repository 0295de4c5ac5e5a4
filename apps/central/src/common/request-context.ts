import { type Request } from 'express';

/** Who did it and from where: what every audit record needs. */
export interface Actor {
  userId: string | undefined;
  username: string;
  address: string;
}

export interface AuthenticatedRequest extends Request {
  actor?: Actor;
}

/**
 * The client's address: the connecting peer, or — when that peer is a trusted reverse proxy
 * (`SWITCHYARD_TRUSTED_PROXIES`, Express's `trust proxy`) — the client it names in X-Forwarded-For.
 */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
