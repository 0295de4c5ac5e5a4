import { implicitOctets, integerOf, octetsOf, oidOf, sequenceOf, textOf } from './der.accessors.js';
import { parseDer } from './der.reader.js';
import { bmpString, explicit, integer, objectIdentifier, octetString, sequence, set } from './der.writer.js';
import { KeystoreErrorCode } from './keystore.errors.js';
import { errorCodeOf, keystoreErrorOf } from './testing/keystore.js';

describe('DER writer and reader', () => {
  it.each([
    '1.2.840.113549.1.12.10.1.3',
    '2.16.840.1.113894.746875.1.1',
    '2.5.29.37.0',
    '0.9.2342.19200300.100.1.1',
  ])('round-trips OID %s', (oid) => {
    expect(oidOf(parseDer(objectIdentifier(oid), 'test'), 'oid')).toBe(oid);
  });

  it('encodes the Oracle trusted-key-usage OID as OpenSSL does', () => {
    expect(objectIdentifier('2.16.840.1.113894.746875.1.1').toString('hex')).toBe(
      '060c6086480186f966adca7b0101',
    );
  });

  it.each([0, 3, 127, 128, 255, 10_000, 2 ** 40])('round-trips INTEGER %d', (value) => {
    expect(integerOf(parseDer(integer(value), 'test'), 'int')).toBe(value);
  });

  it('uses long-form lengths and keeps content bytes exactly', () => {
    const payload = Buffer.alloc(70_000, 7);
    const node = parseDer(sequence(octetString(payload), bmpString('Zürich😀')), 'test');
    const [octets, text] = sequenceOf(node, 'seq');
    expect(octetsOf(octets!, 'octets').equals(payload)).toBe(true);
    expect(textOf(text!, 'text')).toBe('Zürich😀');
  });

  it('sorts SET OF elements by their encoding', () => {
    expect(set(integer(5), integer(1)).toString('hex')).toBe('3106020101020105');
  });

  it('reads BER indefinite lengths and constructed OCTET STRINGs', () => {
    // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "cd" }, [0] IMPLICIT "ef" }
    const ber = Buffer.from('3080' + '2480' + '04026162' + '04026364' + '0000' + '80026566' + '0000', 'hex');
    const [octets, implicit] = sequenceOf(parseDer(ber, 'test'), 'seq');
    expect(octetsOf(octets!, 'octets').toString()).toBe('abcd');
    expect(implicitOctets(implicit!, 'implicit').toString()).toBe('ef');
  });

  it('ignores bytes after the element', () => {
    expect(integerOf(parseDer(Buffer.concat([integer(3), Buffer.from('garbage')]), 'test'), 'int')).toBe(3);
  });

  it.each([
    ['empty input', ''],
    ['a missing length', '30'],
    ['content past the end', '300502010302'],
    ['a length of 5 bytes', '3085ffffffffff'],
    ['indefinite length on a primitive', '0480'],
    ['a missing end-of-contents', '3080020103'],
  ])('refuses %s as CORRUPT', (_name, hex) => {
    expect(errorCodeOf(() => parseDer(Buffer.from(hex, 'hex'), 'test structure'))).toBe(
      KeystoreErrorCode.CORRUPT,
    );
  });

  it('names the structure and the offset in the message', () => {
    expect(keystoreErrorOf(() => parseDer(Buffer.from('300502010302', 'hex'), 'PKCS#12 file')).message).toBe(
      'PKCS#12 file is malformed: truncated (data ends early) at byte 6',
    );
  });

  it('refuses nesting deep enough to exhaust the stack', () => {
    let nested = integer(1);
    for (let i = 0; i < 40; i++) nested = sequence(nested);
    expect(keystoreErrorOf(() => parseDer(nested, 'test')).message).toMatch(/nesting deeper than 32 levels/);
  });

  it('reports a wrong element type with what was expected', () => {
    const error = keystoreErrorOf(() => sequenceOf(parseDer(explicit(0, integer(1)), 'test'), 'PKCS#12 PFX'));
    expect(error.message).toBe('PKCS#12 PFX: expected SEQUENCE, found [0] at byte 0');
  });
});
