import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { connect } from 'node:net';

/** Opens a TLS connection and returns the certificate the server presented (verification off: we only look). */
export function presentedCertificate(port: number, host = '127.0.0.1'): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host, port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const cert = s.getPeerCertificate();
      s.end();
      resolve(cert);
    });
    s.once('error', reject);
  });
}

/** True when a TCP connection to host:port is accepted. */
export function tcpAccepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
