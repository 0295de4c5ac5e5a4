import {
  MAX_PROFILE_ARCHIVE_BYTES,
  PROFILE_CHUNK_BYTES,
  type AgentFrame,
  type ProfileChunk,
} from '../../../../libs/protocol/index.js';
import { archiveFetcher, type ArchiveKind } from '../session-archive-fetch.js';
import { ProfileDownloadError } from './profile-download.js';

/** The part of a connection a session fetch needs. */
export interface SessionChannel {
  sendFrame(frame: AgentFrame): boolean;
  /** Calls `listener` with every profile.chunk frame until the returned function is called. */
  onProfileChunk(listener: (chunk: ProfileChunk) => void): () => void;
}

const failed = (message: string) => new ProfileDownloadError(message);

const PROFILE_ARCHIVE: ArchiveKind<SessionChannel, ProfileChunk> = {
  request: (sha256, offset, length) => ({ type: 'profile.fetch', sha256, offset, length }),
  listen: (channel, listener) => channel.onProfileChunk(listener),
  maxArchiveBytes: MAX_PROFILE_ARCHIVE_BYTES,
  chunkBytes: PROFILE_CHUNK_BYTES,
  failure: {
    timeout: (s) => failed(`fetch over the session: no complete archive within ${s} s`),
    closed: () => failed('fetch over the session: the connection to central closed'),
    refused: (reason) => failed(`central refused the fetch: ${reason}`),
    size: (total, announced) =>
      failed(`central has ${total} bytes, but announced ${announced} in profile.sync`),
    chunk: failed,
  },
};

/**
 * Fetches a profile archive over the established session (`profile.fetch` → `profile.chunk`, ADR 24):
 * it works right after a server-certificate change the agent does not trust yet. The bytes are checked
 * against the signed manifest by the stager as for an https download.
 */
export const fetchOverSession = archiveFetcher(PROFILE_ARCHIVE);
