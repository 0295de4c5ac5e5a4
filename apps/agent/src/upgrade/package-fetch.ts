import {
  MAX_PACKAGE_ARCHIVE_BYTES,
  PACKAGE_CHUNK_BYTES,
  type AgentFrame,
  type PackageChunk,
} from '../../../../libs/protocol/index.js';
import { archiveFetcher, type ArchiveKind } from '../session-archive-fetch.js';

/** The part of a connection a package fetch needs. */
export interface PackageChannel {
  sendFrame(frame: AgentFrame): boolean;
  /** Calls `listener` with every package.chunk frame until the returned function is called. */
  onPackageChunk(listener: (chunk: PackageChunk) => void): () => void;
}

const AGENT_PACKAGE: ArchiveKind<PackageChannel, PackageChunk> = {
  request: (sha256, offset, length) => ({ type: 'package.fetch', sha256, offset, length }),
  listen: (channel, listener) => channel.onPackageChunk(listener),
  maxArchiveBytes: MAX_PACKAGE_ARCHIVE_BYTES,
  chunkBytes: PACKAGE_CHUNK_BYTES,
  failure: {
    timeout: (s) => new Error(`no complete package within ${s} s`),
    closed: () => new Error('the connection to central closed during the package download'),
    refused: (reason) => new Error(`central refused the package download: ${reason}`),
    size: (total, announced) => new Error(`central has ${total} bytes, agent.upgrade announced ${announced}`),
    chunk: (message) => new Error(message),
  },
};

/**
 * Fetches a package archive over the established session (`package.fetch` → `package.chunk`), like
 * profile archives: no new handshake, the session's authentication. The installer checks the bytes
 * against the signed manifest.
 */
export const fetchPackage = archiveFetcher(AGENT_PACKAGE);
