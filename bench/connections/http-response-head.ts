/**
 * The head of an HTTP/1.1 response, as much of it as the simulated agents' download client needs:
 * status, body length, whether the connection may be reused, and for how long.
 */
export interface ResponseHead {
  status: number;
  /**
   * From Content-Length; undefined when the length is not known in advance (chunked, or until the
   * connection closes). Central sends archives with a length.
   */
  contentLength: number | undefined;
  /** False when the server said `Connection: close` (or spoke HTTP/1.0). */
  keepAlive: boolean;
  /** From `Keep-Alive: timeout=N`, in ms, when the server gave one. */
  idleTimeoutMs: number | undefined;
}

/** Parses the head (status line and headers, without the blank line); a string says what is wrong. */
export function parseResponseHead(text: string): ResponseHead | string {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!status) return `not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`;
  let contentLength: number | undefined;
  let keepAlive = status[1] === '1';
  let idleTimeoutMs: number | undefined;
  let chunked = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line: ${JSON.stringify(line.slice(0, 40))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return `bad Content-Length ${JSON.stringify(value.slice(0, 20))}`;
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      chunked = true;
    } else if (name === 'connection') {
      const tokens = value
        .toLowerCase()
        .split(',')
        .map((t) => t.trim());
      if (tokens.includes('close')) keepAlive = false;
      else if (tokens.includes('keep-alive')) keepAlive = true;
    } else if (name === 'keep-alive') {
      const timeout = /(?:^|,)\s*timeout=(\d+)/i.exec(value);
      if (timeout) idleTimeoutMs = Number(timeout[1]) * 1000;
    }
  }
  // A Transfer-Encoding overrides any Content-Length (RFC 9112 §6.3).
  if (chunked) contentLength = undefined;
  return { status: Number(status[2]), contentLength, keepAlive, idleTimeoutMs };
}
