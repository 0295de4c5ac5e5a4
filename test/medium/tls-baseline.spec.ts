// The secure listener's TLS baseline (issue 3): TLS 1.2+, Mozilla "intermediate" ciphers, no
// client-initiated renegotiation, ECDSA P-256 by default — probed with real TLS clients.
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../../apps/central/src/settings/websocket-settings.js';
import { startTestCentral, type TestCentral } from '../support/in-process-central.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

type Outcome = { socket: TLSSocket; error?: undefined } | { socket?: undefined; error: string };

/** Connects with the given client options; resolves with the socket once secure, or the error message. */
function handshake(port: number, options: ConnectionOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: false,
      ...options,
    });
    socket.once('secureConnect', () => resolve({ socket }));
    socket.once('error', (error) => resolve({ error: error.message }));
  });
}

describe('TLS baseline of the secure listener (real TLS)', () => {
  let db: TestDatabase;
  let c: TestCentral;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await startTestCentral(db.url);
    await c.api.ok('PUT', '/api/settings/websocket', {
      secure: {
        ...DEFAULT_WEBSOCKET_SETTINGS.secure,
        enabled: true,
        port: c.ports.secure,
        bindAddress: '127.0.0.1',
      },
    });
  });
  afterAll(async () => {
    await c?.stop();
    await db?.drop();
  });

  it('presents an ECDSA P-256 certificate by default and negotiates TLS 1.3', async () => {
    const { socket, error } = await handshake(c.ports.secure, {});
    if (!socket) throw new Error(error);
    expect(socket.getProtocol()).toBe('TLSv1.3');
    const cert = socket.getPeerX509Certificate()!;
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    socket.destroy();
  });

  it('accepts TLS 1.2 with an intermediate cipher', async () => {
    const { socket, error } = await handshake(c.ports.secure, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    });
    if (!socket) throw new Error(error);
    expect(socket.getCipher().standardName).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    socket.destroy();
  });

  it('refuses TLS 1.1 and TLS 1.0', async () => {
    for (const version of ['TLSv1.1', 'TLSv1'] as const) {
      const result = await handshake(c.ports.secure, {
        minVersion: version,
        maxVersion: version,
        ciphers: 'DEFAULT:@SECLEVEL=0',
      });
      expect(result.error).toMatch(/protocol|version|alert|handshake/i);
    }
  });

  it('refuses ciphers outside the intermediate profile (CBC, SHA-1)', async () => {
    const result = await handshake(c.ports.secure, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-SHA',
    });
    expect(result.error).toMatch(/handshake failure|no cipher|alert/i);
  });

  it('refuses client-initiated renegotiation', async () => {
    const { socket, error } = await handshake(c.ports.secure, { maxVersion: 'TLSv1.2' });
    if (!socket) throw new Error(error);
    const outcome = await new Promise<string>((resolve) => {
      socket.once('error', (error) => resolve(`error: ${error.message}`));
      socket.once('close', () => resolve('closed'));
      socket.renegotiate({ rejectUnauthorized: false }, (error) => {
        resolve(error ? `error: ${error.message}` : 'renegotiated');
      });
    });
    expect(outcome).not.toBe('renegotiated');
    expect(outcome).toMatch(/error|closed/);
    socket.destroy();
  });
});
