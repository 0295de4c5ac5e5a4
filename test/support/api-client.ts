/**
 * A tiny admin API client with the session cookie, for tests and benches. It sends the session's CSRF
 * token (from the login answer) in `X-CSRF-Token` on every write, as the UI does.
 */
export class ApiClient {
  private cookie = '';
  private csrfToken = '';

  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(new URL('/api/auth/login', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    this.cookie = sessionCookieOf(res.headers.getSetCookie());
    this.csrfToken = ((await res.json()) as { csrfToken?: string }).csrfToken ?? '';
  }

  /** Headers every call carries: the session cookie, and the CSRF token for writes. */
  private authHeaders(method: string): Record<string, string> {
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
    return { cookie: this.cookie, ...(write && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}) };
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...this.authHeaders(method),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (PEM, plain text): keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** multipart/form-data upload, as a browser's file dialog sends it. */
  async upload<T = unknown>(
    path: string,
    files: Array<{ name: string; bytes: Buffer }>,
    fields: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const form = new FormData();
    for (const f of files) form.append('files', new Blob([new Uint8Array(f.bytes)]), f.name);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await fetch(new URL(path, this.baseUrl), {
      method: 'POST',
      headers: this.authHeaders('POST'),
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T };
  }

  /** A GET whose answer is bytes (an archive download), with its headers. */
  async download(path: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const res = await fetch(new URL(path, this.baseUrl), { headers: this.authHeaders('GET') });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

/** `name=value` of the session cookie among the Set-Cookie headers (the CSRF cookie comes with it). */
function sessionCookieOf(setCookies: string[]): string {
  const session = setCookies.find((c) => c.startsWith('switchyard_session='));
  return (session ?? setCookies[0] ?? '').split(';')[0];
}
