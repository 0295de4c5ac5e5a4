import { Logger } from '@nestjs/common';
import { type TLSSocket } from 'node:tls';
import { type AuditService } from '../audit/audit.service.js';
import {
  NO_CERTIFICATE_REASON,
  checkClientCertificate,
  describeVerifyError,
  type ClientAuthMode,
  type ClientCertificateVerdict,
} from '../local-ca/client-certificate.check.js';
import { type HandshakeGate } from './agent-listener.js';
import { resumedCertificateOutOfDate } from './tls-resumption.js';

/** One audit record per address, agent and reason in this window: a retrying agent must not flood the log. */
const AUDIT_QUIET_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/** Refuses bad client certificates at the handshake, logs every refusal and audits it (actor `system`). */
export class ClientCertificateGate implements HandshakeGate {
  private readonly logger = new Logger('listeners');
  private readonly lastAudited = new Map<string, number>();

  constructor(
    private readonly mode: () => ClientAuthMode,
    private readonly isRevoked: (serial: string) => boolean,
    private readonly audit: AuditService,
  ) {}

  check(socket: TLSSocket, address: string): ClientCertificateVerdict {
    const mode = this.mode();
    let verdict = checkClientCertificate(socket, mode, this.isRevoked);
    const outOfDate = verdict.kind === 'valid' ? resumedCertificateOutOfDate(socket) : undefined;
    if (outOfDate && verdict.kind === 'valid')
      verdict = { kind: 'refused', reason: outOfDate, agentId: verdict.agentId, serial: verdict.serial };
    if (verdict.kind === 'refused') this.refused(verdict, address, mode);
    return verdict;
  }

  /**
   * A handshake that failed in OpenSSL or Node, before `check` could run: a missing certificate under
   * `required` (OpenSSL sent the alert) or a chain Node refused and dropped. Returns the reason, or
   * undefined when the failure is not about the client certificate (it is logged by the caller).
   */
  handshakeFailed(error: Error & { code?: string }, socket: TLSSocket, address: string): string | undefined {
    const reason =
      error.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'
        ? NO_CERTIFICATE_REASON
        : socket.authorizationError
          ? describeVerifyError(String(socket.authorizationError))
          : undefined;
    if (reason)
      this.refused({ kind: 'refused', reason, agentId: undefined, serial: undefined }, address, this.mode());
    return reason;
  }

  private refused(
    verdict: Extract<ClientCertificateVerdict, { kind: 'refused' }>,
    address: string,
    mode: ClientAuthMode,
  ): void {
    const who = verdict.agentId ? `agent ${verdict.agentId} (${address})` : address;
    this.logger.warn(`refused TLS handshake from ${who}: ${verdict.reason}`);
    const key = `${address}|${verdict.agentId ?? ''}|${verdict.reason}`;
    const now = Date.now();
    if ((this.lastAudited.get(key) ?? 0) > now - AUDIT_QUIET_MS) return;
    if (this.lastAudited.size >= MAX_REMEMBERED) this.lastAudited.clear();
    this.lastAudited.set(key, now);
    void this.audit.record('system', 'agent handshake', 'refused', verdict.agentId ?? null, {
      address,
      reason: verdict.reason,
      serial: verdict.serial ?? null,
      clientAuth: mode,
    });
  }
}
