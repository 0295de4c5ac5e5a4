import { Injectable, Logger } from '@nestjs/common';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { PROFILE_DOWNLOAD_PATH, type ProfileFetch } from '../../../../libs/protocol/index.js';
import { AgentAuthenticator, ENROLLMENT_TOKEN_PREFIX } from '../agents/agent-authenticator.js';
import { type AgentSession } from '../agents/agent-session.js';
import { AgentSessions } from '../agents/agent-sessions.js';
import { ArchiveCache } from './archive-cache.js';
import { ProfileRevisionsRepository } from './profile-revisions.repository.js';

const ARCHIVE_PATH = new RegExp(`^${PROFILE_DOWNLOAD_PATH}([0-9a-f]{64})\\.zip$`);

/**
 * `GET /profiles/<sha256>.zip` on the agent listeners (ADR 0009): an enrolled agent fetches a revision's
 * archive, authenticated like the WebSocket upgrade (its credential and agent id; revoked agents are
 * refused). Only revisions by exact sha256 are served; anything else under /profiles/ is 404.
 */
@Injectable()
export class ProfileDownloadHandler {
  private readonly logger = new Logger('profiles');
  private readonly archives = new ArchiveCache();

  constructor(
    private readonly authenticator: AgentAuthenticator,
    private readonly revisions: ProfileRevisionsRepository,
    sessions: AgentSessions,
  ) {
    sessions.useProfileFetch((session, fetch) => this.serveOverSession(session, fetch));
  }

  /**
   * `profile.fetch` (ADR 24): the same archives, as chunks over the agent's established session, which
   * was authenticated at its upgrade. It needs no new TLS handshake, so an agent can still fetch what its
   * session offers right after a server-certificate change it does not trust yet.
   */
  async serveOverSession(session: AgentSession, fetch: ProfileFetch): Promise<void> {
    const { sha256, offset } = fetch;
    const archive = await this.archives.load(sha256, () => this.revisions.archiveBySha256(sha256));
    if (!archive) {
      session.deliver({
        type: 'profile.chunk',
        sha256,
        offset,
        error: `no profile revision with sha256 ${sha256}`,
      });
      return;
    }
    if (offset >= archive.length) {
      session.deliver({
        type: 'profile.chunk',
        sha256,
        offset,
        error: `offset ${offset} is beyond the archive's ${archive.length} bytes`,
      });
      return;
    }
    const data = archive.subarray(offset, Math.min(archive.length, offset + fetch.length)).toString('base64');
    session.deliver({ type: 'profile.chunk', sha256, offset, totalBytes: archive.length, data });
  }

  /**
   * Answers the request if it is a profile download and returns true; false leaves it to the listener.
   * `certificateAgentId` is the agent a mutual TLS client certificate proved on this connection.
   */
  handle(req: IncomingMessage, res: ServerResponse, certificateAgentId: string | undefined): boolean {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith(PROFILE_DOWNLOAD_PATH)) return false;
    void this.serve(req, res, path, certificateAgentId).catch((error: unknown) => {
      this.logger.error(`profile download ${path}: ${(error as Error).message}`);
      if (!res.headersSent) answer(res, 503, { error: 'central cannot serve profiles right now' });
      else res.destroy();
    });
    return true;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    certificateAgentId: string | undefined,
  ): Promise<void> {
    const match = ARCHIVE_PATH.exec(path);
    if (!match) return answer(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return answer(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const authorization = req.headers.authorization;
    // An enrollment token is for the upgrade only: a download must not consume or enroll anything.
    if (
      typeof authorization === 'string' &&
      authorization.slice('Bearer '.length).startsWith(ENROLLMENT_TOKEN_PREFIX)
    ) {
      return this.refuse(
        res,
        401,
        'an enrollment token cannot download profiles; use the agent credential',
        address,
      );
    }
    const auth = await this.authenticator.authenticate(req, address, { sessionSuffices: true });
    if (!auth.ok) return this.refuse(res, auth.status, auth.reason, address);
    if (certificateAgentId !== undefined && certificateAgentId !== auth.agentId) {
      return this.refuse(
        res,
        403,
        `client certificate is for agent ${certificateAgentId}, not ${auth.agentId}`,
        address,
      );
    }
    const sha256 = match[1]!;
    const archive = await this.archives.load(sha256, () => this.revisions.archiveBySha256(sha256));
    if (!archive) return answer(res, 404, { error: `no profile revision with sha256 ${sha256}` });
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': archive.length,
      etag: `"${sha256}"`,
      'cache-control': 'private, max-age=31536000, immutable',
    });
    res.end(req.method === 'HEAD' ? undefined : archive);
  }

  private refuse(res: ServerResponse, status: number, reason: string, address: string): void {
    this.logger.warn(`refused profile download from ${address}: ${reason}`);
    const headers: Record<string, string> =
      status === 401 ? { 'www-authenticate': 'Bearer realm="switchyard-agent"' } : {};
    answer(res, status, { error: reason }, headers);
  }
}

function answer(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
