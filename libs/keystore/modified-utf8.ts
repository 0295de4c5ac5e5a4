// Java's DataOutputStream.writeUTF / DataInputStream.readUTF encoding ("modified UTF-8"), used for JKS
// aliases: U+0000 takes two bytes, and characters outside the BMP are written as two 3-byte surrogates.

/** Encodes a string the way Java's `writeUTF` does, without the 2-byte length prefix. */
export function encodeModifiedUtf8(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) out.push(c);
    else if (c <= 0x7ff) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(out);
}

/**
 * Decodes what Java's `readUTF` accepts; returns undefined where Java would throw
 * UTFDataFormatException.
 */
export function decodeModifiedUtf8(bytes: Buffer): string | undefined {
  const units: number[] = [];
  const continuation = (i: number): number | undefined =>
    i < bytes.length && (bytes[i]! & 0xc0) === 0x80 ? bytes[i]! & 0x3f : undefined;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      units.push(b);
      i += 1;
    } else if ((b & 0xe0) === 0xc0) {
      const b1 = continuation(i + 1);
      if (b1 === undefined) return undefined;
      units.push(((b & 0x1f) << 6) | b1);
      i += 2;
    } else if ((b & 0xf0) === 0xe0) {
      const b1 = continuation(i + 1);
      const b2 = continuation(i + 2);
      if (b1 === undefined || b2 === undefined) return undefined;
      units.push(((b & 0x0f) << 12) | (b1 << 6) | b2);
      i += 3;
    } else {
      return undefined;
    }
  }
  let text = '';
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return text;
}
