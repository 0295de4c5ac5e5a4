import { reasonOf } from './refusal-reason.js';

describe('reasonOf (the words of a refused upgrade)', () => {
  it('takes central\'s {"error"} (or a "message" next to it)', () => {
    expect(reasonOf('{"error":"client certificate revoked"}')).toBe('client certificate revoked');
    expect(reasonOf('{"error":"busy","message":"central is busy, retry later"}')).toBe(
      'central is busy, retry later',
    );
  });

  it('falls back to the first line of a text body, one printable line of at most 200 characters', () => {
    expect(reasonOf('Service Unavailable\nmore')).toBe('Service Unavailable');
    expect(reasonOf('x\u0007y')).toBe('x y');
    expect(reasonOf('a'.repeat(500))).toHaveLength(200);
    expect(reasonOf('   ')).toBeUndefined();
    expect(reasonOf('{"error":42}')).toBe('{"error":42}');
  });
});
