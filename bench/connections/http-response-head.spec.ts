import { parseResponseHead } from './http-response-head.js';

describe('parseResponseHead', () => {
  it('reads status, length, keep-alive and its timeout', () => {
    expect(
      parseResponseHead(
        'HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 50628\r\n' +
          'Connection: keep-alive\r\nKeep-Alive: timeout=5',
      ),
    ).toEqual({ status: 200, contentLength: 50628, keepAlive: true, idleTimeoutMs: 5000 });
    expect(parseResponseHead('HTTP/1.1 404 Not Found\r\ncontent-length: 0')).toEqual({
      status: 404,
      contentLength: 0,
      keepAlive: true,
      idleTimeoutMs: undefined,
    });
  });

  it('knows when the connection ends with the response', () => {
    expect(parseResponseHead('HTTP/1.1 200 OK\r\ncontent-length: 1\r\nconnection: close')).toMatchObject({
      keepAlive: false,
    });
    expect(parseResponseHead('HTTP/1.0 200 OK\r\ncontent-length: 1')).toMatchObject({ keepAlive: false });
    expect(parseResponseHead('HTTP/1.0 200 OK\r\ncontent-length: 1\r\nconnection: keep-alive')).toMatchObject(
      {
        keepAlive: true,
      },
    );
  });

  it('has no length for chunked or unframed bodies (a chunked encoding overrides Content-Length)', () => {
    expect(
      parseResponseHead('HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\ncontent-length: 3'),
    ).toMatchObject({ status: 401, contentLength: undefined });
    expect(parseResponseHead('HTTP/1.1 500 Oops')).toMatchObject({ status: 500, contentLength: undefined });
  });

  it('says what is wrong with a head it cannot read', () => {
    expect(parseResponseHead('SSH-2.0-OpenSSH_9.2')).toBe(
      'not an HTTP/1.x status line: "SSH-2.0-OpenSSH_9.2"',
    );
    expect(parseResponseHead('HTTP/2 200')).toMatch(/^not an HTTP\/1.x status line/);
    expect(parseResponseHead('HTTP/1.1 200 OK\r\ncontent-length: -1')).toBe('bad Content-Length "-1"');
    expect(parseResponseHead('HTTP/1.1 200 OK\r\ncontent-length: 12abc')).toBe('bad Content-Length "12abc"');
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nno colon here')).toBe(
      'malformed header line: "no colon here"',
    );
  });
});
