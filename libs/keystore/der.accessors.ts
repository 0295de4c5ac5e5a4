import { Asn1Class, type Asn1Node, Asn1Tag } from './der.reader.js';
import { corrupt } from './keystore.errors.js';

// Typed access to parsed ASN.1 nodes; a node of the wrong shape is a CORRUPT error naming the field.

const UNIVERSAL_NAMES: Record<number, string> = {
  [Asn1Tag.INTEGER]: 'INTEGER',
  [Asn1Tag.OCTET_STRING]: 'OCTET STRING',
  [Asn1Tag.NULL]: 'NULL',
  [Asn1Tag.OID]: 'OBJECT IDENTIFIER',
  [Asn1Tag.UTF8_STRING]: 'UTF8String',
  [Asn1Tag.SEQUENCE]: 'SEQUENCE',
  [Asn1Tag.SET]: 'SET',
  [Asn1Tag.BMP_STRING]: 'BMPString',
};

const describe = (node: Asn1Node): string =>
  node.cls === Asn1Class.UNIVERSAL
    ? (UNIVERSAL_NAMES[node.tagNumber] ?? `universal tag ${node.tagNumber}`)
    : node.cls === Asn1Class.CONTEXT
      ? `[${node.tagNumber}]`
      : `tag class ${node.cls} number ${node.tagNumber}`;

function expectUniversal(node: Asn1Node, tag: number, what: string): void {
  if (node.cls !== Asn1Class.UNIVERSAL || node.tagNumber !== tag) {
    throw corrupt(
      `${what}: expected ${UNIVERSAL_NAMES[tag]}, found ${describe(node)} at byte ${node.offset}`,
    );
  }
}

/** The elements of a SEQUENCE. */
export function sequenceOf(node: Asn1Node, what: string): readonly Asn1Node[] {
  expectUniversal(node, Asn1Tag.SEQUENCE, what);
  if (!node.constructed) throw corrupt(`${what}: SEQUENCE is not constructed at byte ${node.offset}`);
  return node.children;
}

/** The elements of a SET. */
export function setOf(node: Asn1Node, what: string): readonly Asn1Node[] {
  expectUniversal(node, Asn1Tag.SET, what);
  if (!node.constructed) throw corrupt(`${what}: SET is not constructed at byte ${node.offset}`);
  return node.children;
}

/** Element `index` of a constructed node's children, which must exist. */
export function elementAt(children: readonly Asn1Node[], index: number, what: string): Asn1Node {
  const child = children[index];
  if (child === undefined) throw corrupt(`${what} is missing`);
  return child;
}

/** The only element inside an EXPLICIT context tag `[tagNumber]`. */
export function explicitOf(node: Asn1Node, tagNumber: number, what: string): Asn1Node {
  if (node.cls !== Asn1Class.CONTEXT || node.tagNumber !== tagNumber || !node.constructed) {
    throw corrupt(`${what}: expected [${tagNumber}], found ${describe(node)} at byte ${node.offset}`);
  }
  return elementAt(node.children, 0, what);
}

/** Dotted-decimal form of an OBJECT IDENTIFIER. */
export function oidOf(node: Asn1Node, what: string): string {
  expectUniversal(node, Asn1Tag.OID, what);
  const bytes = node.content;
  if (bytes.length === 0 || (bytes[bytes.length - 1]! & 0x80) !== 0) {
    throw corrupt(`${what}: OBJECT IDENTIFIER is malformed at byte ${node.offset}`);
  }
  const arcs: bigint[] = [];
  let value = 0n;
  for (const b of bytes) {
    value = (value << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** A non-negative INTEGER that fits a JavaScript number exactly. */
export function integerOf(node: Asn1Node, what: string): number {
  expectUniversal(node, Asn1Tag.INTEGER, what);
  const bytes = node.content;
  if (bytes.length === 0 || bytes.length > 7 || (bytes[0]! & 0x80) !== 0) {
    throw corrupt(`${what}: INTEGER is empty, negative or too large at byte ${node.offset}`);
  }
  const value = bytes.reduce((sum, b) => sum * 256 + b, 0);
  if (!Number.isSafeInteger(value)) throw corrupt(`${what}: INTEGER is too large at byte ${node.offset}`);
  return value;
}

/** The bytes of an OCTET STRING, joining the pieces of a constructed (BER) one. */
export function octetsOf(node: Asn1Node, what: string): Buffer {
  expectUniversal(node, Asn1Tag.OCTET_STRING, what);
  return implicitOctets(node, what);
}

/** The bytes of an OCTET STRING whose tag was replaced by an IMPLICIT one. */
export function implicitOctets(node: Asn1Node, what: string): Buffer {
  if (!node.constructed) return node.content;
  return Buffer.concat(node.children.map((piece) => octetsOf(piece, what)));
}

/** A BMPString (UTF-16BE, as PKCS#12 friendly names are) or, from lenient writers, a UTF8String. */
export function textOf(node: Asn1Node, what: string): string {
  if (node.cls === Asn1Class.UNIVERSAL && node.tagNumber === Asn1Tag.UTF8_STRING) {
    return node.content.toString('utf8');
  }
  expectUniversal(node, Asn1Tag.BMP_STRING, what);
  if (node.content.length % 2 !== 0)
    throw corrupt(`${what}: BMPString has an odd length at byte ${node.offset}`);
  return Buffer.from(node.content).swap16().toString('utf16le');
}
