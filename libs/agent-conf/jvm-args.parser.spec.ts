import { JvmArgsSyntaxError, parseJvmSystemProperties, splitJvmArgs } from './index.js';

describe('splitJvmArgs', () => {
  it.each([
    ['whitespace of any kind separates', ' -Xmx64m \t-server\n-Da=b ', ['-Xmx64m', '-server', '-Da=b']],
    ['double quotes group, also inside a word', '"-Dx=a b" -Dy="c d"', ['-Dx=a b', '-Dy=c d']],
    ['single quotes are literal', '-Dx=\'a "b" \\c\'', ['-Dx=a "b" \\c']],
    ['\\" and \\\\ inside double quotes', '"-Dx=a\\"b\\\\c\\d"', ['-Dx=a"b\\c\\d']],
    ['backslash escapes a space outside quotes', '-Dx=a\\ b', ['-Dx=a b']],
    ['other backslashes are kept (Windows paths)', '-Dp=C:\\certs\\ts.jks', ['-Dp=C:\\certs\\ts.jks']],
    ['empty quotes are an empty argument', '-a "" -b', ['-a', '', '-b']],
    ['nothing', '   ', []],
  ])('%s', (_name, text, words) => {
    expect(splitJvmArgs(text)).toEqual(words);
  });

  it.each([
    ['"-Dx=a b', '" quote (opened at character 1)'],
    ["-Dpass='secret", "' quote (opened at character 8)"],
  ])('refuses an unterminated quote without echoing the text: %s', (text, message) => {
    expect(() => splitJvmArgs(text)).toThrow(JvmArgsSyntaxError);
    expect(() => splitJvmArgs(text)).toThrow(`unterminated ${message}`);
    expect(() => splitJvmArgs(text)).not.toThrow(/secret/);
  });
});

describe('parseJvmSystemProperties', () => {
  it('collects -D options, last one wins, ignores the rest', () => {
    const properties = parseJvmSystemProperties(
      '-Xmx64m -Da=1 -Dflag -Db=x=y "-Dspaced=a b" -Da=2 -D -D=nameless -Xss1m',
    );
    expect([...properties]).toEqual([
      ['a', '2'],
      ['flag', ''],
      ['b', 'x=y'],
      ['spaced', 'a b'],
    ]);
  });

  it('reads the truststore options of the template', () => {
    const properties = parseJvmSystemProperties(
      '-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit ' +
        '-Djavax.net.ssl.trustStoreType=JKS',
    );
    expect(Object.fromEntries(properties)).toEqual({
      'javax.net.ssl.trustStore': 'conf/security/truststore.jks',
      'javax.net.ssl.trustStorePassword': 'changeit',
      'javax.net.ssl.trustStoreType': 'JKS',
    });
  });
});
