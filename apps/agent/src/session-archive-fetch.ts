import type { AgentFrame } from '../../../libs/protocol/index.js';

/** A chunk as central answers a fetch over the session (`profile.chunk`, `package.chunk`). */
export interface ArchiveChunk {
  sha256: string;
  offset: number;
  totalBytes?: number;
  data?: string;
  error?: string;
}

/** Requests in flight at once: enough to keep a WAN link busy, small enough to bound central's buffers. */
const WINDOW = 4;

/** The part of a connection every fetch needs; each kind says how its chunks are heard (`listen`). */
export interface ChunkChannel {
  /** Sends a frame if the connection is usable; false otherwise. */
  sendFrame(frame: AgentFrame): boolean;
}

/** One kind of archive (profile, package): how its chunks are asked for and heard, its bounds and words. */
export interface ArchiveKind<Ch extends ChunkChannel, C extends ArchiveChunk> {
  /** The frame asking for bytes [offset, offset + length) of the archive with this sha256. */
  request(sha256: string, offset: number, length: number): AgentFrame;
  /** Calls `listener` with every chunk of this kind on `channel` until the returned function is called. */
  listen(channel: Ch, listener: (chunk: C) => void): () => void;
  maxArchiveBytes: number;
  chunkBytes: number;
  /** Each kind keeps the words (and error class) its callers and logs already know. */
  failure: {
    timeout(seconds: number): Error;
    closed(): Error;
    refused(reason: string): Error;
    size(totalBytes: number, announcedBytes: number): Error;
    chunk(message: string): Error;
  };
}

/**
 * Fetches an archive over the established session (ADR 24 for profiles, ADR 45 for packages): it needs
 * no new TLS handshake. At most `sizeBytes` within one deadline, four chunks asked at once; the caller
 * checks the bytes against the signed manifest.
 */
export function fetchArchiveOverSession<Ch extends ChunkChannel, C extends ArchiveChunk>(
  kind: ArchiveKind<Ch, C>,
  channel: Ch,
  sha256: string,
  /** What central announced (profile.sync, agent.upgrade): at most this many bytes are asked for. */
  sizeBytes: number,
  timeoutMs: number,
): Promise<Buffer> {
  const size = Math.min(sizeBytes, kind.maxArchiveBytes);
  const archive = Buffer.alloc(size);
  const offsets: number[] = [];
  for (let offset = 0; offset < size; offset += kind.chunkBytes) offsets.push(offset);
  const pending = new Set<number>();
  let received = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let stop = (): void => undefined;
    const timer = setTimeout(() => finish(kind.failure.timeout(timeoutMs / 1000)), timeoutMs);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stop();
      if (error) reject(error);
      else resolve(archive);
    };
    const askMore = (): void => {
      while (pending.size < WINDOW && offsets.length > 0) {
        const offset = offsets.shift()!;
        if (!channel.sendFrame(kind.request(sha256, offset, Math.min(kind.chunkBytes, size - offset)))) {
          return finish(kind.failure.closed());
        }
        pending.add(offset);
      }
    };
    stop = kind.listen(channel, (chunk) => {
      if (chunk.sha256 !== sha256 || !pending.has(chunk.offset)) return; // another fetch's, or a duplicate
      pending.delete(chunk.offset);
      if (chunk.error !== undefined) return finish(kind.failure.refused(chunk.error));
      if (chunk.totalBytes !== sizeBytes) return finish(kind.failure.size(chunk.totalBytes ?? 0, sizeBytes));
      const bytes = Buffer.from(chunk.data!, 'base64');
      const expected = Math.min(kind.chunkBytes, size - chunk.offset);
      if (bytes.length !== expected) {
        return finish(
          kind.failure.chunk(
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

/** A fetch of one kind of archive, as its callers use it: `(channel, sha256, sizeBytes, timeoutMs)`. */
export function archiveFetcher<Ch extends ChunkChannel, C extends ArchiveChunk>(
  kind: ArchiveKind<Ch, C>,
): (channel: Ch, sha256: string, sizeBytes: number, timeoutMs: number) => Promise<Buffer> {
  return (channel, sha256, sizeBytes, timeoutMs) =>
    fetchArchiveOverSession(kind, channel, sha256, sizeBytes, timeoutMs);
}
