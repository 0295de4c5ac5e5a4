import { X509Certificate } from 'node:crypto';
import {
  createClientCsr,
  generateLocalCa,
  normalizeSerial,
  signClientCertificate,
  signServerCertificate,
} from '../../../../libs/pki/index.js';
import { type TLSSocket } from 'node:tls';
import { type AuditService } from '../audit/audit.service.js';
import { type ClientAuthMode } from '../local-ca/client-certificate.check.js';
import { ClientCertificateGate } from './client-certificate-gate.js';
import { resumedCertificateOutOfDate } from './tls-resumption.js';

/** Just what the check reads from a finished handshake. */
function socket(
  peer: X509Certificate | undefined,
  authorized: boolean,
  error?: string,
  resumed = false,
): TLSSocket {
  return {
    getPeerX509Certificate: () => peer,
    authorized,
    authorizationError: error,
    isSessionReused: () => resumed,
  } as unknown as TLSSocket;
}

describe('ClientCertificateGate', () => {
  let mode: ClientAuthMode;
  let records: Array<{ target: string | null; details: Record<string, unknown> }>;
  let gate: ClientCertificateGate;
  const revoked = new Set<string>();

  beforeEach(() => {
    mode = 'required';
    records = [];
    const audit = {
      record: (
        _actor: unknown,
        _action: string,
        _outcome: string,
        target: string | null,
        details: Record<string, unknown>,
      ) => {
        records.push({ target, details });
        return Promise.resolve();
      },
    } as unknown as AuditService;
    gate = new ClientCertificateGate(
      () => mode,
      (s) => revoked.has(s),
      audit,
    );
  });

  it('none asks for nothing; optional lets an absent certificate through; required refuses it', () => {
    mode = 'none';
    expect(gate.check(socket(undefined, false), '10.0.0.1')).toEqual({ kind: 'absent' });
    mode = 'optional';
    expect(gate.check(socket(undefined, false, 'UNSPECIFIED'), '10.0.0.1')).toEqual({ kind: 'absent' });
    mode = 'required';
    expect(gate.check(socket(undefined, false), '10.0.0.1')).toMatchObject({
      kind: 'refused',
      reason: 'no client certificate (mutual TLS is required)',
    });
    expect(records).toHaveLength(1);
  });

  it('accepts a verified certificate naming an agent, refuses revoked, unverified and nameless ones', async () => {
    const ca = await generateLocalCa({ commonName: 'gate test CA', validityDays: 1 });
    const issue = async (id: string) =>
      new X509Certificate(
        (
          await signClientCertificate({
            ca,
            csrPem: (await createClientCsr(id)).csrPem,
            agentId: id,
            validityDays: 1,
          })
        ).certificatePem,
      );
    const good = await issue('a-1');
    const gone = await issue('a-2');
    revoked.add(normalizeSerial(gone.serialNumber));
    expect(gate.check(socket(good, true), '10.0.0.1')).toEqual({
      kind: 'valid',
      agentId: 'a-1',
      serial: normalizeSerial(good.serialNumber),
    });
    expect(gate.check(socket(gone, true), '10.0.0.1')).toMatchObject({
      kind: 'refused',
      reason: 'client certificate revoked',
      agentId: 'a-2',
    });
    expect(gate.check(socket(good, false, 'CERT_HAS_EXPIRED'), '10.0.0.1')).toMatchObject({
      reason: 'client certificate expired (CERT_HAS_EXPIRED)',
    });
    // A resumed session (ADR 53): OpenSSL restored the verification of the handshake that made it; the
    // gate still checks revocation, and the dates against now.
    expect(gate.check(socket(good, true, undefined, true), '10.0.0.1')).toMatchObject({ kind: 'valid' });
    expect(gate.check(socket(gone, true, undefined, true), '10.0.0.1')).toMatchObject({
      reason: 'client certificate revoked',
    });
    const later = Date.parse(good.validTo) + 1000;
    expect(resumedCertificateOutOfDate(socket(good, true, undefined, true), later)).toBe(
      'client certificate expired (CERT_HAS_EXPIRED)',
    );
    expect(resumedCertificateOutOfDate(socket(good, true, undefined, false), later)).toBeUndefined();
    const server = await signServerCertificate({ ca, hosts: ['localhost'], validityDays: 1 });
    expect(gate.check(socket(new X509Certificate(server.certificatePem), true), '10.0.0.1')).toMatchObject({
      reason: 'client certificate names no agent',
    });
  });

  it('audits one refusal per address, agent and reason per minute, but logs each', () => {
    for (let i = 0; i < 5; i++) gate.check(socket(undefined, false), '10.0.0.1');
    gate.check(socket(undefined, false), '10.0.0.2');
    expect(records.map((r) => r.details.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(records[0].details).toMatchObject({ clientAuth: 'required', serial: null });
  });

  it('handshakes that failed before the gate: the missing certificate and the chain Node dropped are audited, other failures are not', () => {
    const noCert = Object.assign(new Error('peer did not return a certificate'), {
      code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
    });
    expect(gate.handshakeFailed(noCert, socket(undefined, false), '10.0.0.7')).toBe(
      'no client certificate (mutual TLS is required)',
    );
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(
      gate.handshakeFailed(hangUp, socket(undefined, false, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), '10.0.0.8'),
    ).toBe('client certificate not issued by the local CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(gate.handshakeFailed(hangUp, socket(undefined, false), '10.0.0.9')).toBeUndefined();
    expect(records.map((r) => [r.details.address, r.details.reason])).toEqual([
      ['10.0.0.7', 'no client certificate (mutual TLS is required)'],
      ['10.0.0.8', 'client certificate not issued by the local CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'],
    ]);
  });
});
