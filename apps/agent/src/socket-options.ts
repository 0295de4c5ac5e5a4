import { isIP } from 'node:net';
import type WebSocket from 'ws';
import {
  AGENT_ID_HEADER,
  CSR_HEADER,
  MAX_FRAME_BYTES,
  encodeCsrHeader,
} from '../../../libs/protocol/index.js';
import type { ConnectionTarget } from './connection-target.js';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** What the upgrade request carries besides the target. */
export interface UpgradeRequest {
  /** Credential, or enrollment token on first contact. Never logged. */
  bearer: string;
  agentId: string;
  /** Sent while the agent needs a client certificate (CSR_HEADER); the key stays local. */
  csrPem?: string;
  handshakeTimeoutMs?: number;
}

/**
 * The `ws` client options for `target`: the agent's headers, and for wss only the truststore's CAs,
 * the name checked against central.host, no downgrade below TLS 1.2. Throws when the URL and the
 * transport disagree or a wss target has no CA: never a fallback to plain.
 */
export function socketOptions(target: ConnectionTarget, request: UpgradeRequest): WebSocket.ClientOptions {
  const common: WebSocket.ClientOptions = {
    headers: {
      Authorization: `Bearer ${request.bearer}`,
      [AGENT_ID_HEADER]: request.agentId,
      ...(request.csrPem ? { [CSR_HEADER]: encodeCsrHeader(request.csrPem) } : {}),
    },
    maxPayload: MAX_FRAME_BYTES,
    handshakeTimeout: request.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    perMessageDeflate: false,
    followRedirects: false,
  };
  const secureUrl = target.url.startsWith('wss://');
  if (target.secure !== secureUrl) {
    throw new Error(`the URL does not match the configured transport (secure=${target.secure})`);
  }
  if (!target.secure) return common;
  if (!target.caPems || target.caPems.length === 0) throw new Error('no trusted CA for wss');
  return {
    ...common,
    ca: target.caPems,
    // As Java does, any certificate of the truststore is an anchor, an intermediate too: central may
    // serve a chain without its root (an ACME CA's leaf + intermediate), and its anchor is then the
    // intermediate (ADR 30).
    allowPartialTrustChain: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(isIP(target.host) ? {} : { servername: target.host }),
    // Sent only if the server asks for it (clientAuth optional or required).
    ...(target.clientCertificate
      ? { cert: target.clientCertificate.chainPem, key: target.clientCertificate.keyPem }
      : {}),
  };
}
