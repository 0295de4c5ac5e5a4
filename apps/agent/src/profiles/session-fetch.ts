import {
  MAX_PROFILE_ARCHIVE_BYTES,
  PROFILE_CHUNK_BYTES,
  type AgentFrame,
  type ProfileChunk,
} from '../../../../libs/protocol/index.js';
import { ProfileDownloadError } from './profile-download.js';

/** The part of a connection a session fetch needs. */
export interface SessionChannel {
  sendFrame(frame: AgentFrame): boolean;
  /** Calls `listener` with every profile.chunk frame until the returned function is called. */
  onProfileChunk(listener: (chunk: ProfileChunk) => void): () => void;
}

/** Requests in flight at once: enough to keep a WAN link busy, small enough to bound central's buffers. */
const WINDOW = 4;

/**
 * Fetches a profile archive over the established session (`profile.fetch` → `profile.chunk`, ADR 24):
 * it needs no new TLS handshake, so it works right after a server-certificate change the agent does not
 * trust yet. At most `sizeBytes` (what profile.sync announced) within one deadline; the bytes are
 * checked against the signed manifest by the stager as for an https download.
 */
export function fetchOverSession(
  channel: SessionChannel,
  sha256: string,
  sizeBytes: number,
  timeoutMs: number,
): Promise<Buffer> {
  const size = Math.min(sizeBytes, MAX_PROFILE_ARCHIVE_BYTES);
  const archive = Buffer.alloc(size);
  const offsets: number[] = [];
  for (let offset = 0; offset < size; offset += PROFILE_CHUNK_BYTES) offsets.push(offset);
  const pending = new Set<number>();
  let received = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let stop = (): void => undefined;
    const timer = setTimeout(
      () =>
        finish(
          new ProfileDownloadError(
            `fetch over the session: no complete archive within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stop();
      if (error) reject(error);
      else resolve(archive);
    };
    const askMore = (): boolean => {
      while (pending.size < WINDOW && offsets.length > 0) {
        const offset = offsets.shift()!;
        const length = Math.min(PROFILE_CHUNK_BYTES, size - offset);
        if (!channel.sendFrame({ type: 'profile.fetch', sha256, offset, length })) {
          finish(new ProfileDownloadError('fetch over the session: the connection to central closed'));
          return false;
        }
        pending.add(offset);
      }
      return true;
    };
    stop = channel.onProfileChunk((chunk) => {
      if (chunk.sha256 !== sha256 || !pending.has(chunk.offset)) return; // another fetch's, or a duplicate
      pending.delete(chunk.offset);
      if (chunk.error !== undefined)
        return finish(new ProfileDownloadError(`central refused the fetch: ${chunk.error}`));
      if (chunk.totalBytes !== sizeBytes) {
        return finish(
          new ProfileDownloadError(
            `central has ${chunk.totalBytes} bytes, but announced ${sizeBytes} in profile.sync`,
          ),
        );
      }
      const bytes = Buffer.from(chunk.data!, 'base64');
      const expected = Math.min(PROFILE_CHUNK_BYTES, size - chunk.offset);
      if (bytes.length !== expected) {
        return finish(
          new ProfileDownloadError(
            `chunk at ${chunk.offset} has ${bytes.length} bytes, ${expected} were asked for`,
          ),
        );
      }
      bytes.copy(archive, chunk.offset);
      received += bytes.length;
      if (received === size) return finish();
      askMore();
    });
    askMore();
  });
}
