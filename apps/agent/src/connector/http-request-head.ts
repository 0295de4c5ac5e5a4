import { VIA_HEADER } from '../../../../libs/protocol/index.js';

/** Largest request head the connector reads before forwarding (agents send well under 4 KiB). */
export const MAX_HEAD_BYTES = 16 * 1024;

const END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]$/;

export type HeadScan =
  | { kind: 'incomplete' }
  | { kind: 'too_large' }
  | { kind: 'not_http' }
  | { kind: 'complete'; head: string; rest: Buffer };

/** Finds the end of the first request head in what was received so far. */
export function scanRequestHead(received: Buffer): HeadScan {
  const end = received.indexOf(END);
  if (end === -1) {
    if (received.length >= MAX_HEAD_BYTES) return { kind: 'too_large' };
    const firstLine = received.toString('latin1').split('\r\n')[0]!;
    return received.includes(0x0a) && !REQUEST_LINE.test(firstLine)
      ? { kind: 'not_http' }
      : { kind: 'incomplete' };
  }
  if (end + END.length > MAX_HEAD_BYTES) return { kind: 'too_large' };
  const head = received.subarray(0, end).toString('latin1');
  if (!REQUEST_LINE.test(head.split('\r\n')[0]!)) return { kind: 'not_http' };
  return { kind: 'complete', head, rest: received.subarray(end + END.length) };
}

/**
 * The head to send to central: Host replaced when asked, and the via header naming this connector
 * (any via header the device sent is dropped, so central sees only what this connector says).
 */
export function rewriteRequestHead(head: string, opts: { hostHeader?: string; via: string }): Buffer {
  const [requestLine, ...headers] = head.split('\r\n');
  const kept = headers.filter((line) => {
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    if (name === VIA_HEADER) return false;
    return !(opts.hostHeader !== undefined && name === 'host');
  });
  const added = [
    ...(opts.hostHeader !== undefined ? [`Host: ${opts.hostHeader}`] : []),
    `${VIA_HEADER}: ${opts.via}`,
  ];
  return Buffer.from([requestLine, ...kept, ...added].join('\r\n') + '\r\n\r\n', 'latin1');
}
