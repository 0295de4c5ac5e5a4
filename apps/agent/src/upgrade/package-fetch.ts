import {
  MAX_PACKAGE_ARCHIVE_BYTES,
  PACKAGE_CHUNK_BYTES,
  type AgentFrame,
  type PackageChunk,
} from '../../../../libs/protocol/index.js';

/** The part of a connection a package fetch needs. */
export interface PackageChannel {
  sendFrame(frame: AgentFrame): boolean;
  /** Calls `listener` with every package.chunk frame until the returned function is called. */
  onPackageChunk(listener: (chunk: PackageChunk) => void): () => void;
}

/** Requests in flight at once, as for profiles (profiles/session-fetch.ts). */
const WINDOW = 4;

/**
 * Fetches a package archive over the established session (`package.fetch` → `package.chunk`), like
 * profile archives (ADR 24): no new handshake, the session's authentication. At most `sizeBytes` within
 * one deadline; the installer checks the bytes against the signed manifest.
 */
export function fetchPackage(
  channel: PackageChannel,
  sha256: string,
  sizeBytes: number,
  timeoutMs: number,
): Promise<Buffer> {
  const size = Math.min(sizeBytes, MAX_PACKAGE_ARCHIVE_BYTES);
  const archive = Buffer.alloc(size);
  const offsets: number[] = [];
  for (let offset = 0; offset < size; offset += PACKAGE_CHUNK_BYTES) offsets.push(offset);
  const pending = new Set<number>();
  let received = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let stop = (): void => undefined;
    const timer = setTimeout(
      () => finish(new Error(`no complete package within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stop();
      if (error) reject(error);
      else resolve(archive);
    };
    const askMore = (): void => {
      while (pending.size < WINDOW && offsets.length > 0) {
        const offset = offsets.shift()!;
        const length = Math.min(PACKAGE_CHUNK_BYTES, size - offset);
        if (!channel.sendFrame({ type: 'package.fetch', sha256, offset, length })) {
          finish(new Error('the connection to central closed during the package download'));
          return;
        }
        pending.add(offset);
      }
    };
    stop = channel.onPackageChunk((chunk) => {
      if (chunk.sha256 !== sha256 || !pending.has(chunk.offset)) return;
      pending.delete(chunk.offset);
      if (chunk.error !== undefined)
        return finish(new Error(`central refused the package download: ${chunk.error}`));
      if (chunk.totalBytes !== sizeBytes)
        return finish(
          new Error(`central has ${chunk.totalBytes} bytes, agent.upgrade announced ${sizeBytes}`),
        );
      const bytes = Buffer.from(chunk.data!, 'base64');
      const expected = Math.min(PACKAGE_CHUNK_BYTES, size - chunk.offset);
      if (bytes.length !== expected)
        return finish(
          new Error(`chunk at ${chunk.offset} has ${bytes.length} bytes, ${expected} were asked for`),
        );
      bytes.copy(archive, chunk.offset);
      received += bytes.length;
      if (received === size) return finish();
      askMore();
    });
    askMore();
  });
}
