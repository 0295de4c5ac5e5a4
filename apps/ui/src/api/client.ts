import type { FieldIssue } from '../../../../libs/api/error-body.js';
import { type ApiErrorCode } from '../../../../libs/api/errors/index.js';

/**
 * A refusal from the API: `code` is the precise refusal (libs/api/errors, ADR 49), `category` the
 * generic kind the API answers in `error`; the body keeps any details (issues, agents, reason).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }

  /** `error` of the body; a central older than the domain codes sent only that, as the code. */
  get category(): string {
    return typeof this.body.error === 'string' ? this.body.error : this.code;
  }

  get issues(): FieldIssue[] {
    return Array.isArray(this.body.issues) ? (this.body.issues as FieldIssue[]) : [];
  }
}

/** Whether `e` is the API refusing with one of `codes` (checked against the codes the API declares). */
export function isRefusal(
  e: unknown,
  ...codes: ApiErrorCode[]
): e is ApiError & { readonly code: ApiErrorCode } {
  return e instanceof ApiError && (codes as string[]).includes(e.code);
}

/** The code of a call that never got central's answer (central down, network cut, proxy 502-504). */
export const UNREACHABLE = 'unreachable';

export function isUnreachable(e: unknown): boolean {
  return e instanceof ApiError && e.code === UNREACHABLE;
}

const CSRF_COOKIE = 'switchyard_csrf';
let csrfFromLogin: string | undefined;
const sessionEndedListeners = new Set<() => void>();

/** The login answer's token; the cookie (readable by this page only) wins when present. */
export function rememberCsrfToken(token: string | undefined): void {
  csrfFromLogin = token;
}

export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export function sessionEnded(): void {
  for (const l of sessionEndedListeners) l();
}

function csrfToken(): string | undefined {
  const match = document.cookie.split('; ').find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) : csrfFromLogin;
}

export function hasCsrfCookie(): boolean {
  return document.cookie.split('; ').some((c) => c.startsWith(`${CSRF_COOKIE}=`));
}

/** One call to the public API; every write carries the CSRF token; a 401 ends the session in the UI. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['x-csrf-token'] = token;
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
    text = await res.text();
  } catch {
    // The browser says only "TypeError: Failed to fetch": central is down or the network is cut.
    throw new ApiError(0, UNREACHABLE, 'central is not answering', {});
  }
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_answer', `central's answer was cut off (HTTP ${res.status})`, {});
    }
  }
  if (!res.ok && res.status >= 502 && res.status <= 504 && typeof parsed !== 'object') {
    // A reverse proxy in front of central answers for it while it is down.
    throw new ApiError(res.status, UNREACHABLE, 'central is not answering', {});
  }
  if (res.ok) return parsed as T;
  const err = (typeof parsed === 'object' && parsed ? parsed : {}) as Record<string, unknown>;
  if (res.status === 401 && path !== '/api/auth/login') sessionEnded();
  const code =
    typeof err.code === 'string' ? err.code : typeof err.error === 'string' ? err.error : undefined;
  throw new ApiError(
    res.status,
    code ?? `http_${res.status}`,
    typeof err.message === 'string' ? err.message : `${res.status} ${res.statusText}`,
    err,
  );
}

/** Query string from the defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
