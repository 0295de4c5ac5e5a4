import { REDACTED, isSecretKey, redactProperties, redactText } from './redaction.js';

describe('diagnostics redaction', () => {
  it.each([
    'agent.local.api.password',
    'agent.local.api.password.hash',
    'site.api.token',
    'my.api_key',
    'db.secret',
    'enrollment.credential',
    'tls.private.key',
    'http.authorization',
    'keystore.passphrase',
  ])('treats %s as a secret key', (key) => expect(isSecretKey(key)).toBe(true));

  it.each(['central.host', 'profile.local.keys', 'agent.group', 'jetty.jvm.args', 'agent.local.api.port'])(
    'keeps %s',
    (key) => expect(isSecretKey(key)).toBe(false),
  );

  it.each([
    [
      '-Djavax.net.ssl.trustStorePassword=hunter22 -Dx=1',
      `-Djavax.net.ssl.trustStorePassword=${REDACTED} -Dx=1`,
    ],
    ['# old admin password: hunter22', `# old admin password: ${REDACTED}`],
    ['{"token": "abc123456"}', `{"token": ${REDACTED}}`],
    ['Authorization: Bearer sya_abcdefghijklmnop', `Authorization: Bearer ${REDACTED}`],
    ['credential sya_abcdefghijklmnopqrstu stored', `credential sya_${REDACTED} stored`],
    ['token syt_0123456789abcdef used', `token syt_${REDACTED} used`],
    ['hash $scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA here', 'hash [redacted hash] here'],
    ['https://admin:s3cret@central.example/x', `https://admin:${REDACTED}@central.example/x`],
    [
      'a\n-----BEGIN PRIVATE KEY-----\nMIIEv\nQ==\n-----END PRIVATE KEY-----\nb',
      'a\n[redacted private key]\nb',
    ],
  ])('redacts %j', (input, output) => expect(redactText(input)).toBe(output));

  it('leaves ordinary log lines alone, and scrubs literal secrets wherever they appear', () => {
    const line = '2026-12-07T06:00:00.000Z INFO  connected via wss to localhost:9150 (node n1)';
    expect(redactText(line)).toBe(line);
    expect(redactText('x my-literal-secret-1 y', ['my-literal-secret-1', 'short'])).toBe(`x ${REDACTED} y`);
    expect(redactText('a short b', ['short'])).toBe('a short b');
  });

  it('redacts every definition of a secret key, continuation lines included, and keeps the rest', () => {
    const text = [
      '# settings',
      'central.host=central.example',
      'db.password=first-secret',
      'jetty.jvm.args=-Xmx64m \\',
      '  -Djavax.net.ssl.trustStorePassword=second-secret',
      'db.password = third-\\',
      '   secret',
      '',
    ].join('\n');
    const out = redactProperties(text);
    expect(out.redactedKeys.sort()).toEqual(['db.password', 'jetty.jvm.args']);
    expect(out.text).toContain('# settings\ncentral.host=central.example\n');
    expect(out.text).toContain(`db.password=${REDACTED}`);
    // A rewritten value is escaped as Properties.store writes it (`=` as `\=`).
    expect(out.text).toContain(`-Djavax.net.ssl.trustStorePassword\\=${REDACTED}`);
    for (const secret of ['first-secret', 'second-secret', 'third-', 'secret\n'])
      expect(out.text).not.toContain(secret);
  });

  it('withholds a file it cannot parse rather than guess', () => {
    const out = redactProperties('bad=\\uZZZZ password=x\n');
    expect(out.text).toMatch(/^# withheld: the file could not be parsed/);
    expect(out.text).not.toContain('password=x');
  });
});
