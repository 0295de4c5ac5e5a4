/**
 * What the bare ceiling server adds for the rollout bench (issue 15: every figure with its bare ratio):
 * serve one archive at `GET /profiles/<sha256>.zip` as central's agent listener does, and send one
 * `profile.sync` to every open session at once — no database, no credential check, no pacing, no
 * bookkeeping of the answers. What the same swarm then takes to be synchronized is what the machine
 * itself allows.
 */
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type WebSocket } from 'ws';
import { PROFILE_DOWNLOAD_PATH, type ProfileSync } from '../../libs/protocol/index.js';

export interface BareArchive {
  /** The archive's bytes, written by the bench. */
  file: string;
  sha256: string;
}

/** The request handler for downloads: the archive at its path (GET or HEAD), 404 for anything else. */
export function archiveResponder(archive: BareArchive): (req: IncomingMessage, res: ServerResponse) => void {
  const bytes = readFileSync(archive.file);
  const path = `${PROFILE_DOWNLOAD_PATH}${archive.sha256}.zip`;
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.url !== path) {
      res.writeHead(404, { 'content-length': 0 });
      return void res.end();
    }
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': bytes.length,
      etag: `"${archive.sha256}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
}

/** Sends the frame to every open session; returns how many it went to. */
export function pushToAll(open: Iterable<WebSocket>, frame: ProfileSync): number {
  const text = JSON.stringify(frame);
  let sent = 0;
  for (const socket of open) {
    if (socket.readyState !== socket.OPEN) continue;
    socket.send(text);
    sent++;
  }
  return sent;
}
