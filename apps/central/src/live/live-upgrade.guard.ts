import { Injectable } from '@nestjs/common';
import { type IncomingMessage } from 'node:http';
import { AuthService } from '../auth/auth.service.js';
import { SESSION_COOKIE } from '../auth/session-cookie.js';
import { type Actor } from '../common/request-context.js';

export type UpgradeVerdict = { ok: true; actor: Actor } | { ok: false; status: 401 | 403; reason: string };

/**
 * Decides at the HTTP upgrade, before any WebSocket exists, whether a browser may open the live
 * socket: the same session cookie as the API, and an Origin of this very host (a page elsewhere
 * cannot ride the admin's cookie into the socket).
 */
@Injectable()
export class LiveUpgradeGuard {
  /** Who opened each upgrade request, for the gateway's connection handler. */
  private readonly actors = new WeakMap<IncomingMessage, Actor>();

  constructor(private readonly auth: AuthService) {}

  actorOf(req: IncomingMessage): Actor | undefined {
    return this.actors.get(req);
  }

  async verify(req: IncomingMessage): Promise<UpgradeVerdict> {
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) {
      return { ok: false, status: 403, reason: 'foreign origin' };
    }
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const actor = await this.auth.authenticate(token, req.socket.remoteAddress ?? 'unknown');
    if (!actor) return { ok: false, status: 401, reason: 'log in first' };
    this.actors.set(req, actor);
    return { ok: true, actor };
  }

  /** Sessions expire or end at logout while the socket is open: asked again periodically. */
  async stillValid(req: IncomingMessage): Promise<boolean> {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    return (await this.auth.authenticate(token, req.socket.remoteAddress ?? 'unknown')) !== undefined;
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
