import { splitJvmArgs } from '../../../../libs/agent-conf/index.js';
import {
  maskTruststorePassword,
  readTruststoreArgs,
  truststorePasswordOf,
  writeTruststoreArgs,
} from './truststore-jvm-args.js';

const JKS_ARGS =
  '-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=JKS';

describe('truststore options in jetty.jvm.args', () => {
  it('reads the format from the path or the type, and the password unless it is the placeholder', () => {
    expect(readTruststoreArgs(JKS_ARGS)).toEqual({ format: 'JKS', password: 'changeit' });
    expect(readTruststoreArgs('-Djavax.net.ssl.trustStoreType=pkcs12')).toEqual({
      format: 'PKCS12',
      password: undefined,
    });
    expect(readTruststoreArgs('-Djavax.net.ssl.trustStorePassword=(set)')).toEqual({
      format: 'JKS',
      password: undefined,
    });
    expect(readTruststoreArgs('')).toEqual({ format: 'JKS', password: undefined });
  });

  it('refuses a path the archive does not ship, an unknown type, and a type that contradicts the path', () => {
    expect(readTruststoreArgs('-Djavax.net.ssl.trustStore=/etc/ssl/other.jks')).toHaveProperty('error');
    expect(readTruststoreArgs('-Djavax.net.ssl.trustStoreType=JCEKS')).toHaveProperty('error');
    expect(
      readTruststoreArgs(
        '-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStoreType=PKCS12',
      ),
    ).toHaveProperty('error');
  });

  it('leaves options that are already right byte for byte', () => {
    expect(writeTruststoreArgs(JKS_ARGS, 'JKS', 'changeit')).toBe(JKS_ARGS);
  });

  it('replaces options where they stand, appends missing ones, keeps and re-quotes other options', () => {
    const args = `-Xmx64m -Djavax.net.ssl.trustStorePassword=old "-Dapp.title=Branch 7" -Dx='it'"'"'s'`;
    const written = writeTruststoreArgs(args, 'PKCS12', 'n3w-pass');
    expect(splitJvmArgs(written)).toEqual([
      '-Xmx64m',
      '-Djavax.net.ssl.trustStorePassword=n3w-pass',
      '-Dapp.title=Branch 7',
      "-Dx=it's",
      '-Djavax.net.ssl.trustStore=conf/security/truststore.p12',
      '-Djavax.net.ssl.trustStoreType=PKCS12',
    ]);
  });

  it('drops duplicate truststore options (the JVM would take the last one)', () => {
    const args = '-Djavax.net.ssl.trustStorePassword=a -Djavax.net.ssl.trustStorePassword=b';
    expect(splitJvmArgs(writeTruststoreArgs(args, 'JKS', 'c')).filter((w) => w.includes('Password'))).toEqual(
      ['-Djavax.net.ssl.trustStorePassword=c'],
    );
  });

  it('masks the password for display and reads it for comparison', () => {
    expect(maskTruststorePassword(JKS_ARGS, '(set)')).toBe(JKS_ARGS.replace('changeit', '(set)'));
    expect(maskTruststorePassword('-Xmx1g', '(set)')).toBe('-Xmx1g');
    expect(maskTruststorePassword('-Djavax.net.ssl.trustStorePassword="unterminated', '(set)')).not.toContain(
      'unterminated',
    );
    expect(truststorePasswordOf(JKS_ARGS)).toBe('changeit');
  });
});
