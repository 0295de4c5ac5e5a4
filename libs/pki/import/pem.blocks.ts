/** One `-----BEGIN LABEL-----` … `-----END LABEL-----` block of a PEM file. */
export interface PemBlock {
  label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`) of a traditionally encrypted key. */
  headers: Record<string, string>;
  /** The base64 body decoded. */
  der: Buffer;
  /** The block as text, for parsers that take PEM (Node's createPrivateKey). */
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Whether the bytes look like PEM text: a BEGIN line anywhere (comments and `Bag Attributes` may come first). */
export function looksLikePem(bytes: Buffer): boolean {
  return bytes.includes('-----BEGIN ');
}

/** The PEM blocks of a text in order; text between blocks (comments, `Bag Attributes`) is skipped. */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1]!;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    for (const line of match[2]!.split(/\r?\n/)) {
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (header && body.length === 0) headers[header[1]!] = header[2]!.trim();
      else body.push(line.trim());
    }
    blocks.push({
      label,
      headers,
      der: Buffer.from(body.join(''), 'base64'),
      text: `${match[0]}\n`,
    });
  }
  return blocks;
}
