import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe, which needs Reflect
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type TLSSocket } from 'node:tls';
import {
  CsrErrorCode,
  agentIdOfCertificate,
  createClientCsr,
  generateLocalCa,
  normalizeSerial,
  signClientCertificate,
  signServerCertificate,
  type LocalCaIdentity,
} from './index.js';
import * as x509 from '@peculiar/x509';

const extension = <T>(pem: string, type: new (...args: never[]) => T): T | null =>
  new x509.X509Certificate(pem).getExtension(type as never) as T | null;

describe('local CA (libs/pki/ca)', () => {
  let ca: LocalCaIdentity;
  beforeAll(async () => {
    ca = await generateLocalCa({ commonName: 'Switchyard local CA test', validityDays: 3650 });
  });

  it('generates a P-256 CA with CA:true pathlen 0, keyCertSign and cRLSign', () => {
    const cert = new X509Certificate(ca.certificatePem);
    expect(cert.ca).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    const basic = extension(ca.certificatePem, x509.BasicConstraintsExtension)!;
    expect(basic).toMatchObject({ ca: true, pathLength: 0, critical: true });
    const usage = extension(ca.certificatePem, x509.KeyUsagesExtension)!;
    expect(usage.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(cert.subject).toContain('CN=Switchyard local CA test');
  });

  it('signs an agent CSR as a clientAuth certificate naming the agent (CN and SAN URI)', async () => {
    const { csrPem, keyPem } = await createClientCsr('branch-7');
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const issued = await signClientCertificate({ ca, csrPem, agentId: 'branch-7', validityDays: 365 });
    const cert = new X509Certificate(issued.certificatePem);
    const caCert = new X509Certificate(ca.certificatePem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject).toBe('CN=branch-7');
    expect(cert.subjectAltName).toBe('URI:urn:switchyard:agent:branch-7');
    expect(agentIdOfCertificate(cert)).toBe('branch-7');
    expect(normalizeSerial(cert.serialNumber)).toBe(issued.serialNumber);
    expect(cert.fingerprint256).toBe(issued.fingerprintSha256);
    // the certificate carries the agent's key, the one that never left it
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem))).toBe(true);
    const eku = extension(issued.certificatePem, x509.ExtendedKeyUsageExtension)!;
    expect(eku.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    const usage = extension(issued.certificatePem, x509.KeyUsagesExtension)!;
    expect(usage.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(issued.notAfter.getTime() - Date.now()).toBeGreaterThan(364 * 86_400_000);
  });

  it('refuses a CSR for another agent id, a forged signature and garbage', async () => {
    const other = await createClientCsr('someone-else');
    await expect(
      signClientCertificate({ ca, csrPem: other.csrPem, agentId: 'branch-7', validityDays: 1 }),
    ).rejects.toMatchObject({ code: CsrErrorCode.WRONG_SUBJECT });

    // flip a byte inside the signature: the CSR is no longer signed by its own key
    const { csrPem } = await createClientCsr('branch-7');
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0xff;
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(
      signClientCertificate({ ca, csrPem: forged, agentId: 'branch-7', validityDays: 1 }),
    ).rejects.toMatchObject({ code: CsrErrorCode.BAD_SIGNATURE });

    await expect(
      signClientCertificate({ ca, csrPem: 'not a csr', agentId: 'branch-7', validityDays: 1 }),
    ).rejects.toMatchObject({ code: CsrErrorCode.MALFORMED });
  });

  it('signs with explicit dates (an already expired certificate for tests)', async () => {
    const { csrPem } = await createClientCsr('old-1');
    const issued = await signClientCertificate({
      ca,
      csrPem,
      agentId: 'old-1',
      validityDays: 1,
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(new Date(new X509Certificate(issued.certificatePem).validTo).getTime()).toBeLessThan(Date.now());
  });

  it('issues a serverAuth certificate with SANs; chain is leaf then CA', async () => {
    const server = await signServerCertificate({
      ca,
      hosts: ['central.example', '127.0.0.1'],
      validityDays: 90,
    });
    const cert = new X509Certificate(server.certificatePem);
    expect(cert.subjectAltName).toBe('DNS:central.example, IP Address:127.0.0.1');
    expect(cert.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
    expect(server.chainPem).toBe(server.certificatePem + ca.certificatePem);
    expect(agentIdOfCertificate(cert)).toBeUndefined();
    const eku = extension(server.certificatePem, x509.ExtendedKeyUsageExtension)!;
    expect(eku.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
  });

  it('openssl verifies the client certificate for the sslclient purpose and refuses it for sslserver', async () => {
    const { csrPem } = await createClientCsr('branch-8');
    const issued = await signClientCertificate({ ca, csrPem, agentId: 'branch-8', validityDays: 30 });
    const dir = mkdtempSync(join(tmpdir(), 'sy-ca-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
      writeFileSync(join(dir, 'leaf.pem'), issued.certificatePem);
      const verify = (purpose: string) =>
        execFileSync('openssl', ['verify', '-purpose', purpose, '-CAfile', 'ca.pem', 'leaf.pem'], {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      expect(verify('sslclient')).toContain('leaf.pem: OK');
      expect(() => verify('sslserver')).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a TLS server trusting only the CA authorizes a client presenting the issued certificate', async () => {
    const server = await signServerCertificate({ ca, hosts: ['127.0.0.1'], validityDays: 1 });
    const client = await createClientCsr('branch-9');
    const issued = await signClientCertificate({
      ca,
      csrPem: client.csrPem,
      agentId: 'branch-9',
      validityDays: 1,
    });
    const seen = new Promise<{ authorized: boolean; agentId: string | undefined }>((resolve) => {
      const tls = createServer(
        {
          cert: server.chainPem,
          key: server.privateKeyPem,
          ca: ca.certificatePem,
          requestCert: true,
          rejectUnauthorized: false,
        },
        (socket: TLSSocket) => {
          const peer = socket.getPeerX509Certificate();
          resolve({ authorized: socket.authorized, agentId: peer && agentIdOfCertificate(peer) });
          socket.end();
          tls.close();
        },
      );
      tls.listen(0, '127.0.0.1', () => {
        const port = (tls.address() as { port: number }).port;
        const s = connect({
          port,
          host: '127.0.0.1',
          ca: ca.certificatePem,
          cert: issued.certificatePem,
          key: client.keyPem,
        });
        s.on('error', () => undefined);
        s.on('end', () => s.destroy());
      });
    });
    expect(await seen).toEqual({ authorized: true, agentId: 'branch-9' });
  });
});
