import { type Logger } from '@nestjs/common';
import { type SecureContextOptions, type TlsOptions } from 'node:tls';
import { type ClientAuthMode } from '../local-ca/client-certificate.check.js';
import { secureContextOptions, tlsServerOptions, type ResumptionOptions } from './tls-options.js';
import { resumptionOptions } from './tls-resumption.js';
import { type TlsTicketKeys } from './tls-ticket-keys.js';

type MinVersion = 'TLSv1.2' | 'TLSv1.3';

/**
 * Builds the secure agent listener's TLS options, at its creation and at every `setSecureContext`
 * (certificate swap, client-auth change, key rotation), always with the installation's ticket keys and
 * the matching session id context (ADR 53): a context built without them would quietly fall back to
 * Node's per-process keys and argv-based context.
 */
export class SecureListenerContext {
  /** The installation's keys; undefined until loaded (or when they never could be: Node's own then). */
  private ticketKeys: Buffer | undefined;

  constructor(
    private readonly tickets: TlsTicketKeys,
    private readonly logger: Logger,
  ) {}

  /** Loads the shared keys, made or rotated first for `identity`'s chain when due; keeps the last on failure. */
  async loadKeys(identity: { chainPem: string }): Promise<void> {
    try {
      this.ticketKeys = await this.tickets.forChain(identity.chainPem);
    } catch (error) {
      // The listener still serves; only resumption on another process or after a restart is lost.
      this.logger.warn(
        `TLS session ticket keys unavailable, sessions resume on this process only: ${(error as Error).message}`,
      );
    }
  }

  useKeys(keys: Buffer): void {
    this.ticketKeys = keys;
  }

  serverOptions(
    identity: { chainPem: string; keyPem: string },
    minVersion: MinVersion,
    clientAuth: ClientAuthMode,
    clientCaPem: string | undefined,
  ): TlsOptions {
    const resumption = this.resumption(identity, minVersion, clientAuth, clientCaPem);
    return tlsServerOptions(identity, minVersion, { mode: clientAuth, caPem: clientCaPem }, resumption);
  }

  contextOptions(
    identity: { chainPem: string; keyPem: string },
    minVersion: MinVersion,
    clientAuth: ClientAuthMode,
    clientCaPem: string | undefined,
  ): SecureContextOptions {
    const resumption = this.resumption(identity, minVersion, clientAuth, clientCaPem);
    return secureContextOptions(identity, minVersion, clientCaPem, resumption);
  }

  private resumption(
    identity: { chainPem: string },
    minVersion: MinVersion,
    clientAuth: ClientAuthMode,
    clientCaPem: string | undefined,
  ): ResumptionOptions {
    return resumptionOptions(this.ticketKeys, {
      chainPem: identity.chainPem,
      clientCaPem,
      clientAuth,
      minVersion,
    });
  }
}
