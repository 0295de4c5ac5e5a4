import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  AGENT_ID_HEADER,
  MAX_PROFILE_ARCHIVE_BYTES,
  PROFILE_DOWNLOAD_PATH,
} from '../../../../libs/protocol/index.js';
import type { ConnectionTarget } from '../connection-target.js';
import { describeConnectError } from '../connection-errors.js';

export interface ProfileDownloadRequest {
  /** The connection the agent is on: the archive comes from the same listener, with the same trust. */
  target: ConnectionTarget;
  bearer: string;
  agentId: string;
  sha256: string;
  /** What central announced in profile.sync; a different Content-Length is refused before reading. */
  sizeBytes: number;
  timeoutMs?: number;
}

/** Why an archive could not be fetched, in words for `failed(reason)`. */
export class ProfileDownloadError extends Error {
  override readonly name = 'ProfileDownloadError';
}

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;

/** `http://host:port/profiles/<sha256>.zip`, or https for a wss connection. */
export function profileDownloadUrl(target: ConnectionTarget, sha256: string): string {
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  return `${target.secure ? 'https' : 'http'}://${host}:${target.port}${PROFILE_DOWNLOAD_PATH}${sha256}.zip`;
}

/**
 * Fetches a profile archive into memory, never more than the announced size (itself at most
 * MAX_PROFILE_ARCHIVE_BYTES), within one deadline for the whole transfer. Over https only the
 * connection's truststore CAs are trusted and the client certificate is presented, as for the upgrade.
 * No redirect is followed: the archive must come from the listener the agent is connected to.
 */
export function downloadProfileArchive(req: ProfileDownloadRequest): Promise<Buffer> {
  const url = profileDownloadUrl(req.target, req.sha256);
  const limit = Math.min(req.sizeBytes, MAX_PROFILE_ARCHIVE_BYTES);
  const timeoutMs = req.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const endpoint = `${req.target.host}:${req.target.port}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new ProfileDownloadError(`download of ${url} failed: ${message}`));
    };
    const request = (req.target.secure ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      agent: false,
      headers: {
        Authorization: `Bearer ${req.bearer}`,
        [AGENT_ID_HEADER]: req.agentId,
        Accept: 'application/zip',
      },
      ...(req.target.secure ? tlsOptions(req.target) : {}),
    });
    const timer = setTimeout(() => fail(`no complete answer within ${timeoutMs / 1000} s`), timeoutMs);
    request.on('error', (error) => fail(describeConnectError(error, endpoint)));
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        response.resume();
        return fail(
          `central answered HTTP ${status}${response.statusMessage ? ' ' + response.statusMessage : ''}`,
        );
      }
      const declared = response.headers['content-length'];
      if (declared !== undefined) {
        const length = Number(declared);
        if (!Number.isSafeInteger(length) || length !== req.sizeBytes) {
          return fail(`Content-Length is ${declared}, but central announced ${req.sizeBytes} bytes`);
        }
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit) return fail(`more than the announced ${limit} bytes`);
        chunks.push(chunk);
      });
      response.on('aborted', () => fail(`transfer cut after ${received} of ${req.sizeBytes} bytes`));
      response.on('error', () => fail(`transfer cut after ${received} of ${req.sizeBytes} bytes`));
      response.on('end', () => {
        if (settled) return;
        if (received !== req.sizeBytes) {
          return fail(`got ${received} bytes, but central announced ${req.sizeBytes}`);
        }
        settled = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks, received));
      });
    });
    request.end();
  });
}

function tlsOptions(target: ConnectionTarget) {
  if (!target.caPems || target.caPems.length === 0) throw new ProfileDownloadError('no trusted CA for https');
  return {
    ca: target.caPems,
    allowPartialTrustChain: true, // any truststore certificate is an anchor, as for the session
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2' as const,
    ...(isIP(target.host) ? {} : { servername: target.host }),
    ...(target.clientCertificate
      ? { cert: target.clientCertificate.chainPem, key: target.clientCertificate.keyPem }
      : {}),
  };
}
