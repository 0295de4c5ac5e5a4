import { type Request, type Response } from 'express';

export const SESSION_COOKIE = 'switchyard_session';
/** Readable by the page's script (not httpOnly) so it can echo it in `X-CSRF-Token`; another site cannot. */
export const CSRF_COOKIE = 'switchyard_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function readSessionCookie(req: Request): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function readCsrfHeader(req: Request): string | undefined {
  const value = req.headers[CSRF_HEADER];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Both cookies live as long as the session can (its absolute lifetime); the idle limit is the server's. */
export function writeSessionCookies(
  res: Response,
  tokens: { session: string; csrf: string },
  opts: { secure: boolean; maxSeconds: number },
): void {
  const common = {
    sameSite: 'strict',
    secure: opts.secure,
    path: '/',
    maxAge: opts.maxSeconds * 1000,
  } as const;
  res.cookie(SESSION_COOKIE, tokens.session, { ...common, httpOnly: true });
  res.cookie(CSRF_COOKIE, tokens.csrf, { ...common, httpOnly: false });
}

export function clearSessionCookies(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: '/' });
  res.clearCookie(CSRF_COOKIE, { path: '/' });
}
