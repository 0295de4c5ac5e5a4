import { type IncomingMessage } from 'node:http';

/** Central's refusals carry a short JSON body; more than this is not a reason, it is noise. */
const MAX_BODY_BYTES = 4096;
/** A refusal whose body does not arrive in this time is reported without it. */
const READ_TIMEOUT_MS = 2000;

/**
 * Why central refused the upgrade (403 revoked certificate, 409 identity, 503 busy, …): the `error` of
 * its JSON body, else the body's first line. Reads at most 4 KiB for at most 2 s; never rejects.
 */
export function readRefusalReason(response: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      response.removeAllListeners('data');
      response.resume();
      resolve(reasonOf(Buffer.concat(chunks).toString('utf8')));
    };
    const timer = setTimeout(done, READ_TIMEOUT_MS);
    timer.unref();
    response.on('data', (chunk: Buffer) => {
      if (size < MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
      size += chunk.length;
      if (size >= MAX_BODY_BYTES) done();
    });
    response.once('end', done);
    response.once('error', done);
    response.once('close', done);
  });
}

/** The refusal's words: `{"error": "…"}` as central sends it, else the first line of the text. */
export function reasonOf(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const said = typeof parsed.message === 'string' ? parsed.message : parsed.error;
    if (typeof said === 'string' && said.trim()) return clean(said);
  } catch {
    // not JSON: the text itself
  }
  return clean(text.split('\n')[0] ?? '');
}

/** One printable line of at most 200 characters: the body comes from the network. */
function clean(text: string): string | undefined {
  const printable = [...text].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch));
  const line = printable.join('').replace(/ +/g, ' ').trim().slice(0, 200);
  return line || undefined;
}
