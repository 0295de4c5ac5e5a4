import { corrupt } from './keystore.errors.js';

// A small BER/DER reader for PKCS#12: definite and indefinite lengths, constructed OCTET STRINGs, and
// every failure a CORRUPT KeystoreError naming the structure and byte offset. Contents are views into the
// input, so certificates come out byte for byte.

export const Asn1Class = { UNIVERSAL: 0, CONTEXT: 2 } as const;

export const Asn1Tag = {
  INTEGER: 2,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  BMP_STRING: 30,
} as const;

export interface Asn1Node {
  readonly cls: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** Content octets (without the end-of-contents marker of an indefinite length). */
  readonly content: Buffer;
  /** Parsed content of a constructed node; empty for a primitive one. */
  readonly children: readonly Asn1Node[];
  /** Offset of the node's first byte in the buffer given to parseDer. */
  readonly offset: number;
}

const MAX_DEPTH = 32;

/**
 * Parses the ASN.1 element at the start of `bytes`; bytes after it are ignored, as Java and OpenSSL do.
 * `what` names the structure in error messages.
 */
export function parseDer(bytes: Buffer, what: string): Asn1Node {
  return parseElement(bytes, 0, bytes.length, 0, what).node;
}

function parseElement(
  bytes: Buffer,
  start: number,
  end: number,
  depth: number,
  what: string,
): { node: Asn1Node; next: number } {
  const fail = (reason: string, at: number) => corrupt(`${what} is malformed: ${reason} at byte ${at}`);
  const truncated = (at: number) => fail('truncated (data ends early)', at);
  if (depth > MAX_DEPTH) throw fail(`nesting deeper than ${MAX_DEPTH} levels`, start);
  if (start >= end) throw truncated(start);

  const first = bytes[start]!;
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  let pos = start + 1;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let n = 0; ; n++) {
      if (pos >= end) throw truncated(pos);
      if (n === 4) throw fail('tag number too large', start);
      const b = bytes[pos++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }

  if (pos >= end) throw truncated(pos);
  const lengthByte = bytes[pos++]!;
  let length: number | undefined;
  if (lengthByte < 0x80) {
    length = lengthByte;
  } else if (lengthByte > 0x80) {
    const size = lengthByte & 0x7f;
    if (size > 4) throw fail(`length of ${size} bytes is too large`, pos - 1);
    if (pos + size > end) throw truncated(pos);
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + bytes[pos++]!;
  } else if (!constructed) {
    throw fail('indefinite length on a primitive element', pos - 1);
  }

  const children: Asn1Node[] = [];
  if (length !== undefined) {
    const contentEnd = pos + length;
    if (contentEnd > end) throw truncated(end);
    for (let at = pos; constructed && at < contentEnd;) {
      const child = parseElement(bytes, at, contentEnd, depth + 1, what);
      children.push(child.node);
      at = child.next;
    }
    const node = {
      cls,
      tagNumber,
      constructed,
      content: bytes.subarray(pos, contentEnd),
      children,
      offset: start,
    };
    return { node, next: contentEnd };
  }

  // Indefinite length: children up to the end-of-contents marker (two zero bytes).
  let at = pos;
  for (;;) {
    if (at + 2 > end) throw truncated(at);
    if (bytes[at] === 0 && bytes[at + 1] === 0) break;
    const child = parseElement(bytes, at, end, depth + 1, what);
    children.push(child.node);
    at = child.next;
  }
  const node = { cls, tagNumber, constructed, content: bytes.subarray(pos, at), children, offset: start };
  return { node, next: at + 2 };
}
