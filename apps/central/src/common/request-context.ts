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

export function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}
