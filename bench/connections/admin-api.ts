/** Just enough of central's admin API for the bench: login, enrollment token, settings, listeners, agents. */
export class AdminApi {
  private cookie = '';
  /** Sent in `X-CSRF-Token` on writes: central refuses a cookie-authenticated write without it. */
  private csrfToken = '';

  constructor(private readonly baseUrl: string) {}

  async login(password: string): Promise<void> {
    const res = await fetch(new URL('/api/auth/login', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    if (res.status !== 200) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
    const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('switchyard_session=')) ?? '').split(
      ';',
    )[0];
    if (!cookie) throw new Error('login returned no session cookie');
    this.cookie = cookie;
    this.csrfToken = ((await res.json()) as { csrfToken?: string }).csrfToken ?? '';
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        cookie: this.cookie,
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrfToken }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → HTTP ${res.status} ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  async enrollmentToken(): Promise<string> {
    const r = await this.call<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
      expiresInMinutes: 24 * 60,
      maxUses: null,
      description: 'connection bench',
    });
    return r.token;
  }

  /** Moves both agent listeners to the bench's own ports and turns the secure one on. */
  async listenOn(plainPort: number, securePort: number): Promise<void> {
    await this.call('PUT', '/api/settings/websocket', {
      plain: { port: plainPort, bindAddress: '127.0.0.1' },
      secure: { port: securePort, bindAddress: '127.0.0.1', enabled: true },
    });
  }

  async serverChainPem(): Promise<string> {
    return this.call<string>('GET', '/api/certificates/server/chain');
  }

  /** What central's nodes report as actually bound. */
  async listeners(): Promise<Array<{ kind: string; port: number; connections: number }>> {
    const nodes = await this.call<
      Array<{ listeners: Array<{ kind: string; port: number; connections: number }> }>
    >('GET', '/api/listeners');
    return nodes.flatMap((node) => node.listeners);
  }

  /** Connections the listeners report, by kind. */
  async listenerConnections(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const l of await this.listeners()) result[l.kind] = (result[l.kind] ?? 0) + l.connections;
    return result;
  }

  /** Agents by `status/transport`, e.g. `online/secure`, as the database says. */
  async agentCounts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (let offset = 0; ; offset += 10_000) {
      const page = await this.call<Array<{ status: string; transport: string | null }>>(
        'GET',
        `/api/agents?limit=10000&offset=${offset}`,
      );
      for (const a of page) {
        const key = `${a.status}/${a.transport ?? '-'}`;
        result[key] = (result[key] ?? 0) + 1;
      }
      if (page.length < 10_000) return result;
    }
  }
}
