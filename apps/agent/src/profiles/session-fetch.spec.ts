import { PROFILE_CHUNK_BYTES, type AgentFrame, type ProfileChunk } from '../../../../libs/protocol/index.js';
import { fetchOverSession, type SessionChannel } from './session-fetch.js';

const SHA = 'a'.repeat(64);

/** A channel whose "central" answers each profile.fetch from `archive` (or with `answer`'s override). */
function channel(
  archive: Buffer,
  answer?: (fetch: { offset: number; length: number }) => ProfileChunk | undefined,
) {
  const listeners = new Set<(chunk: ProfileChunk) => void>();
  const sent: AgentFrame[] = [];
  let open = true;
  let inFlight = 0;
  const ch: SessionChannel & { sent: AgentFrame[]; close(): void; listeners: number; maxInFlight: number } = {
    sent,
    maxInFlight: 0,
    close: () => (open = false),
    get listeners() {
      return listeners.size;
    },
    sendFrame(frame) {
      if (!open) return false;
      sent.push(frame);
      if (frame.type !== 'profile.fetch') return true;
      const chunk = answer?.(frame) ?? {
        type: 'profile.chunk',
        sha256: frame.sha256,
        offset: frame.offset,
        totalBytes: archive.length,
        data: archive.subarray(frame.offset, frame.offset + frame.length).toString('base64'),
      };
      ch.maxInFlight = Math.max(ch.maxInFlight, ++inFlight);
      setImmediate(() => {
        inFlight--;
        listeners.forEach((l) => l(chunk));
      });
      return true;
    },
    onProfileChunk(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return ch;
}

describe('fetching a profile archive over the session', () => {
  const archive = Buffer.from(Array.from({ length: PROFILE_CHUNK_BYTES * 5 + 123 }, (_, i) => i % 251));

  it('assembles the archive from 32 KiB chunks, never more than four asked at once', async () => {
    const ch = channel(archive);
    const got = await fetchOverSession(ch, SHA, archive.length, 5000);
    expect(got.equals(archive)).toBe(true);
    expect(ch.sent).toHaveLength(6);
    expect(ch.maxInFlight).toBe(4);
    expect(ch.listeners).toBe(0);
  });

  it('fails with central’s reason, a size that differs from profile.sync, or a closed connection', async () => {
    const refused = channel(archive, (f) => ({
      type: 'profile.chunk',
      sha256: SHA,
      offset: f.offset,
      error: 'no such revision',
    }));
    await expect(fetchOverSession(refused, SHA, archive.length, 5000)).rejects.toThrow(
      'central refused the fetch: no such revision',
    );
    await expect(fetchOverSession(channel(archive), SHA, archive.length - 1, 5000)).rejects.toThrow(
      `central has ${archive.length} bytes, but announced ${archive.length - 1} in profile.sync`,
    );
    const closed = channel(archive);
    closed.close();
    await expect(fetchOverSession(closed, SHA, archive.length, 5000)).rejects.toThrow(
      'the connection to central closed',
    );
  });

  it('gives up after its deadline when central does not answer', async () => {
    const silent = channel(archive, () => ({
      type: 'profile.chunk',
      sha256: 'b'.repeat(64),
      offset: 0,
      error: 'other',
    }));
    await expect(fetchOverSession(silent, SHA, archive.length, 100)).rejects.toThrow(
      'no complete archive within 0.1 s',
    );
    expect(silent.listeners).toBe(0);
  });
});
