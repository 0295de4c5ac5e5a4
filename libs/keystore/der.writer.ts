// DER encoders for the few ASN.1 types a PKCS#12 truststore needs.

/** One TLV with a single-byte identifier and a minimal definite length. */
export function tlv(identifier: number, content: Buffer): Buffer {
  let header: number[];
  if (content.length < 0x80) {
    header = [identifier, content.length];
  } else {
    const length: number[] = [];
    for (let n = content.length; n > 0; n = Math.floor(n / 256)) length.unshift(n & 0xff);
    header = [identifier, 0x80 | length.length, ...length];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));

/** SET OF: DER orders the elements by their encodings. */
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat([...items].sort(Buffer.compare)));

export const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);

export const nullValue = (): Buffer => tlv(0x05, Buffer.alloc(0));

/** `[n] EXPLICIT`, context-specific and constructed. */
export const explicit = (tagNumber: number, inner: Buffer): Buffer => tlv(0xa0 | tagNumber, inner);

/** BMPString (UTF-16BE), the type of PKCS#12 friendly names. */
export const bmpString = (text: string): Buffer => tlv(0x1e, Buffer.from(text, 'utf16le').swap16());

/** A non-negative INTEGER. */
export function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** An OBJECT IDENTIFIER from its dotted-decimal form. */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const values = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const value of values) {
    const chunk = [Number(value & 0x7fn)];
    for (let rest = value >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
