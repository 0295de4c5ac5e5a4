import { AGENT_ID, BOOLEAN, HOST, PORT, oneOf, seconds, type ValueType } from './agent-conf.value-types.js';

const accepts = <T>(type: ValueType<T>, text: string) => type.parse(text);

describe('agent.conf value types', () => {
  it.each([
    ['localhost', 'localhost'],
    ['central.example.com', 'central.example.com'],
    ['my_host-1', 'my_host-1'],
    ['10.0.0.5', '10.0.0.5'],
    ['::1', '::1'],
    ['[2001:db8::7]', '2001:db8::7'],
  ])('HOST accepts %s', (text, host) => {
    expect(accepts(HOST, text)).toEqual({ ok: true, value: host });
  });

  it.each([
    'ws://central',
    'central:8787',
    'central/agent',
    '-central',
    'a..b',
    '999.1.1.1',
    '1234',
    '[central]',
    'sp ace',
    `${'a'.repeat(64)}.com`,
  ])('HOST refuses %s', (text) => {
    expect(accepts(HOST, text)).toEqual({
      ok: false,
      message: `must be a host name or IP address, without scheme, port or path (got ${JSON.stringify(text)})`,
    });
  });

  it('HOST refuses IPv6 zone ids, which no ws:// URL can carry', () => {
    expect(accepts(HOST, 'fe80::1%eth0')).toEqual({
      ok: false,
      message: 'must not carry an IPv6 zone id (%…) (got "fe80::1%eth0")',
    });
  });

  it.each([
    ['1', 1],
    ['8787', 8787],
    ['65535', 65535],
  ])('PORT accepts %s', (text, port) => {
    expect(accepts(PORT, text)).toEqual({ ok: true, value: port });
  });

  it.each(['0', '65536', 'abc', '-1', '80.5', '1e3', '0x50', '123456'])('PORT refuses %s', (text) => {
    expect(accepts(PORT, text)).toEqual({
      ok: false,
      message: `must be a port number 1-65535 (got ${JSON.stringify(text)})`,
    });
  });

  it('BOOLEAN takes true/false in any case and nothing else', () => {
    expect(accepts(BOOLEAN, 'TRUE')).toEqual({ ok: true, value: true });
    expect(accepts(BOOLEAN, 'False')).toEqual({ ok: true, value: false });
    expect(accepts(BOOLEAN, 'yes')).toEqual({ ok: false, message: 'must be true or false (got "yes")' });
  });

  it('AGENT_ID allows 1-128 of [A-Za-z0-9._-]', () => {
    expect(accepts(AGENT_ID, 'branch-7.kiosk_1')).toEqual({ ok: true, value: 'branch-7.kiosk_1' });
    expect(accepts(AGENT_ID, 'x'.repeat(128)).ok).toBe(true);
    for (const text of ['x'.repeat(129), 'a b', 'a/b', 'é']) expect(accepts(AGENT_ID, text).ok).toBe(false);
  });

  it('seconds() takes whole numbers within its range', () => {
    const type = seconds(1, 3600);
    expect(type.name).toBe('seconds (1-3600)');
    expect(accepts(type, '3600')).toEqual({ ok: true, value: 3600 });
    for (const text of ['0', '3601', '1.5', '30s']) {
      expect(accepts(type, text)).toEqual({
        ok: false,
        message: `must be a whole number of seconds 1-3600 (got ${JSON.stringify(text)})`,
      });
    }
  });

  it('oneOf() accepts any letter case and returns the canonical word', () => {
    const type = oneOf(['error', 'warn'] as const);
    expect(type.name).toBe('error | warn');
    expect(accepts(type, 'WARN')).toEqual({ ok: true, value: 'warn' });
    expect(accepts(type, 'trace')).toEqual({
      ok: false,
      message: 'must be one of error, warn (got "trace")',
    });
  });
});
