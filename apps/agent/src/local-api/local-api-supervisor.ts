import type { LocalApiSecurity } from '../../../../libs/agent-conf/index.js';
import { dirname } from 'node:path';
import { ensureDirectory, writeFileAtomic } from '../atomic-file.js';
import { STATE_DIR_MODE } from '../credential-store.js';
import type { Logger } from '../logger.js';
import type { LocalApiServer, LocalApiTls } from './local-api-server.js';
import { loadTlsMaterial, tlsStamp, type ServedCertificate, type TlsSources } from './tls-material.js';

/** `state/local-api.json`: what the local API is doing, for operators and local software. */
export interface LocalApiState {
  security: LocalApiSecurity;
  state: 'listening' | 'waiting' | 'failed' | 'stopped';
  url: string | null;
  since: string;
  /** Why it waits or failed; null while listening. */
  reason: string | null;
  certificate: ServedCertificate | null;
  /** Wrong passwords since the agent started (level https-password), and the last one. */
  wrongPasswords: number;
  lastWrongPassword: { at: string; address: string; user: string } | null;
}

export interface LocalApiSupervisorOptions {
  security: LocalApiSecurity;
  bindAddress: string;
  /** Builds a server; `tls` undefined for level 1. */
  makeServer: (tls: LocalApiTls | undefined) => LocalApiServer;
  /** The HTTPS levels' files; undefined for level 1. */
  tlsSources?: TlsSources;
  /** Level 3 with client certificates. */
  requestCert: boolean;
  stateFile: string;
  logger: Logger;
  /** How often the certificate files are looked at (renewal, first issue). */
  pollMs: number;
  now?: () => Date;
}

/**
 * Runs the local API at its security level. Level 1 starts at once. The HTTPS levels start when their
 * certificate is there: until central's local CA has issued the agent's client certificate, the API
 * waits and says so (log, `state/local-api.json`), never failing the agent. A renewed certificate
 * (files replaced) is served from the next handshake on, without a restart (`setSecureContext`); a
 * certificate taken away (revoked and set aside) stops the API until a new one comes.
 */
export class LocalApiSupervisor {
  private server: LocalApiServer | undefined;
  private stamp: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private readonly now: () => Date;
  private current: LocalApiState;

  constructor(private readonly options: LocalApiSupervisorOptions) {
    this.now = options.now ?? (() => new Date());
    this.current = {
      security: options.security,
      state: 'waiting',
      url: null,
      since: this.now().toISOString(),
      reason: null,
      certificate: null,
      wrongPasswords: 0,
      lastWrongPassword: null,
    };
  }

  get state(): LocalApiState {
    return { ...this.current };
  }

  /** Starts (level 1) or starts looking for the certificate (HTTPS levels); never rejects. */
  async start(): Promise<void> {
    if (!this.options.tlsSources) {
      await this.listen(undefined);
      return;
    }
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    await this.server?.stop();
    this.server = undefined;
    this.update({ state: 'stopped', url: null, reason: null });
  }

  /** A wrong password was refused: logged here, counted in the state file. */
  wrongPassword(event: { address: string; user: string; inWindow: number }): void {
    this.options.logger.warn(
      `local API: wrong password for user ${JSON.stringify(event.user)} from ${event.address} (${event.inWindow} within the last minute)`,
    );
    this.update({
      wrongPasswords: this.current.wrongPasswords + 1,
      lastWrongPassword: { at: this.now().toISOString(), address: event.address, user: event.user },
    });
  }

  private tick(): Promise<void> {
    this.ticking ??= this.check().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async check(): Promise<void> {
    const sources = this.options.tlsSources!;
    const stamp = tlsStamp(sources);
    if (this.stopped || stamp === this.stamp) return;
    this.stamp = stamp;
    const { logger } = this.options;
    const loaded = loadTlsMaterial(sources);
    if (!loaded.ok) {
      if (this.server && !loaded.waiting) {
        // A half-written or wrong replacement must not take the API down: the old certificate stays.
        logger.warn(`local API: keeps serving the previous certificate: ${loaded.reason}`);
        return;
      }
      if (this.server) {
        logger.warn(`local API stopped: its certificate is gone (${loaded.reason})`);
        await this.server.stop();
        this.server = undefined;
      } else if (loaded.waiting) {
        logger.info(`local API not started: ${loaded.reason}`);
      } else {
        logger.error(`local API not started: ${loaded.reason}`);
      }
      this.update({
        state: loaded.waiting ? 'waiting' : 'failed',
        url: null,
        reason: loaded.reason,
        certificate: null,
      });
      return;
    }
    const { material } = loaded;
    if (this.server) {
      this.server.setSecureContext(material.context);
      logger.info(
        `local API: serving the renewed certificate ${material.certificate.sha256} (valid until ${material.certificate.notAfter})`,
      );
      this.update({ certificate: material.certificate });
      return;
    }
    const listening = await this.listen({ context: material.context, requestCert: this.options.requestCert });
    if (listening) this.update({ certificate: material.certificate });
    // Not listening (port taken): the next change of the files, or a restart, tries again.
    else this.stamp = undefined;
  }

  private async listen(tls: LocalApiTls | undefined): Promise<boolean> {
    const { logger, bindAddress, security } = this.options;
    const server = this.options.makeServer(tls);
    try {
      const port = await server.start();
      if (this.stopped) {
        await server.stop();
        return false;
      }
      this.server = server;
      const host = bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
      const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
      logger.info(`local API on ${url} (security ${security})`);
      this.update({ state: 'listening', url, reason: null });
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EADDRINUSE'
          ? `${bindAddress}:${server.options.port} is in use by another program (agent.local.api.port)`
          : (error as Error).message;
      // Logged, not fatal: the agent's job is its connection to central, not this local convenience.
      logger.error(`local API not started: ${reason}`);
      this.update({ state: 'failed', url: null, reason });
      return false;
    }
  }

  private update(change: Partial<LocalApiState>): void {
    const next = { ...this.current, ...change };
    if (next.state !== this.current.state) next.since = this.now().toISOString();
    this.current = next;
    try {
      ensureDirectory(dirname(this.options.stateFile), STATE_DIR_MODE);
      writeFileAtomic(this.options.stateFile, JSON.stringify(next, null, 2) + '\n', 0o644);
    } catch (error) {
      this.options.logger.debug(`cannot write ${this.options.stateFile}: ${(error as Error).message}`);
    }
  }
}
