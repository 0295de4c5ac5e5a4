import { PropertiesDocument } from '../properties/index.js';
import { AgentConfError, readAgentConf, type AgentConf } from './index.js';

const read = (...lines: string[]): AgentConf => readAgentConf(PropertiesDocument.parse(lines.join('\n')));

/** The issues readAgentConf reports for these lines (fails the test if it accepts them). */
function issuesOf(...lines: string[]): AgentConfError['issues'] {
  try {
    read(...lines);
  } catch (error) {
    if (error instanceof AgentConfError) return error.issues;
    throw error;
  }
  throw new Error('readAgentConf accepted the file');
}

const MINIMAL = ['central.host=central.example.com', 'agent.id=branch-7'];
const MIB = 1024 * 1024;
const HASH = `scrypt$16384$8$1$${Buffer.alloc(16, 1).toString('base64url')}$${Buffer.alloc(32, 2).toString('base64url')}`;

describe('readAgentConf', () => {
  it('fills every default from the key table', () => {
    expect(read(...MINIMAL)).toEqual({
      centralHost: 'central.example.com',
      plainPort: 8787,
      secure: false,
      securePort: 9150,
      agentId: 'branch-7',
      groups: [],
      switchTimeoutMs: 30_000,
      upgradeTimeoutMs: 60_000,
      logLevel: 'info',
      localKeys: [],
      trustStore: { path: 'conf/security/truststore.jks', password: 'changeit', type: 'jks' },
      localApi: {
        enabled: false,
        port: 8789,
        maxFileSize: 10 * MIB,
        quota: 100 * MIB,
        security: 'plain',
        bindAddress: '127.0.0.1',
        tlsCertFile: undefined,
        tlsKeyFile: undefined,
        tlsCaFile: undefined,
        user: 'switchyard',
        passwordHash: undefined,
      },
    });
  });

  it('reads every key', () => {
    const conf = read(
      'central.host = 10.1.2.3',
      'central.websocket.port: 1880',
      'central.websocket.secure true',
      'central.websocket.secure.port=1443',
      'agent.id=kiosk.1',
      'agent.group=north, branches,',
      'agent.switch.timeout=5',
      'agent.log.level=DEBUG',
      'jetty.jvm.args=-Xmx64m "-Djavax.net.ssl.trustStore=/opt/agent/trust store.p12" \\',
      '    -Djavax.net.ssl.trustStorePassword=s3cret',
      'agent.local.api.enabled=TRUE',
      'agent.local.api.port=18789',
      'agent.local.api.files.max.size=2',
      'agent.local.api.files.quota=3',
      'agent.local.api.security=HTTPS-Password',
      'agent.local.api.bind.address=0.0.0.0',
      'agent.local.api.tls.cert=conf/local-api.crt',
      'agent.local.api.tls.key=/etc/agent/local-api.key',
      'agent.local.api.tls.ca=conf/clients-ca.pem',
      'agent.local.api.user=till',
      `agent.local.api.password.hash=${HASH}`,
    );
    expect(conf).toEqual({
      centralHost: '10.1.2.3',
      plainPort: 1880,
      secure: true,
      securePort: 1443,
      agentId: 'kiosk.1',
      groups: ['branches', 'north'],
      switchTimeoutMs: 5000,
      upgradeTimeoutMs: 60_000,
      logLevel: 'debug',
      localKeys: [],
      trustStore: { path: '/opt/agent/trust store.p12', password: 's3cret', type: 'pkcs12' },
      localApi: {
        enabled: true,
        port: 18789,
        maxFileSize: 2 * MIB,
        quota: 3 * MIB,
        security: 'https-password',
        bindAddress: '0.0.0.0',
        tlsCertFile: 'conf/local-api.crt',
        tlsKeyFile: '/etc/agent/local-api.key',
        tlsCaFile: 'conf/clients-ca.pem',
        user: 'till',
        passwordHash: {
          N: 16384,
          r: 8,
          p: 1,
          salt: Buffer.alloc(16, 1),
          hash: Buffer.alloc(32, 2),
        },
      },
    });
  });

  it('trims values and treats an empty value as absent', () => {
    const conf = read(
      ...MINIMAL,
      'central.websocket.port=8788\t ',
      'agent.log.level=',
      'agent.switch.timeout=  ',
    );
    expect(conf.plainPort).toBe(8788);
    expect(conf.logLevel).toBe('info');
    expect(conf.switchTimeoutMs).toBe(30_000);
  });

  it('names a local API size that is not whole MiB in range, and a file limit above the quota', () => {
    expect(issuesOf(...MINIMAL, 'agent.local.api.files.max.size=1.5', 'agent.local.api.port=0')).toEqual([
      { key: 'agent.local.api.port', message: 'must be a port number 1-65535 (got "0")' },
      { key: 'agent.local.api.files.max.size', message: 'must be a whole number of MiB 1-1024 (got "1.5")' },
    ]);
    expect(
      issuesOf(...MINIMAL, 'agent.local.api.files.max.size=20', 'agent.local.api.files.quota=10'),
    ).toEqual([
      {
        key: 'agent.local.api.files.max.size',
        message: 'must not be larger than agent.local.api.files.quota',
      },
    ]);
  });

  it('checks the local API security keys alone and together, never echoing a password hash', () => {
    expect(issuesOf(...MINIMAL, 'agent.local.api.security=tls')).toEqual([
      {
        key: 'agent.local.api.security',
        message: 'must be one of plain, https, https-client-certificate, https-password (got "tls")',
      },
    ]);
    expect(issuesOf(...MINIMAL, 'agent.local.api.bind.address=0.0.0.0')).toEqual([
      {
        key: 'agent.local.api.bind.address',
        message:
          'must be a loopback address (127.x.x.x or ::1) while agent.local.api.security is plain; choose an https level to listen on 0.0.0.0',
      },
    ]);
    expect(read(...MINIMAL, 'agent.local.api.bind.address=::1').localApi.bindAddress).toBe('::1');
    expect(issuesOf(...MINIMAL, 'agent.local.api.bind.address=agent.local')[0].message).toBe(
      'must be an IPv4 or IPv6 address (got "agent.local")',
    );
    expect(issuesOf(...MINIMAL, 'agent.local.api.security=https-password')).toEqual([
      {
        key: 'agent.local.api.password.hash',
        message:
          'is required when agent.local.api.security is https-password (make one with `switchyard-agent hash-password`)',
      },
    ]);
    expect(issuesOf(...MINIMAL, 'agent.local.api.tls.cert=a.crt')).toEqual([
      {
        key: 'agent.local.api.tls.key',
        message: 'is required when agent.local.api.tls.cert is set (certificate and key go together)',
      },
    ]);
    const secretish = 'scrypt$16384$8$1$c2FsdA$aGFzaA';
    const [tooShort] = issuesOf(...MINIMAL, `agent.local.api.password.hash=${secretish}`);
    expect(tooShort).toEqual({
      key: 'agent.local.api.password.hash',
      message: 'the salt must have at least 16 bytes (has 4)',
    });
    for (const bad of ['plaintext-password', HASH.replace('16384', '1000'), HASH.replace('$8$', '$0$')]) {
      const [issue] = issuesOf(...MINIMAL, `agent.local.api.password.hash=${bad}`);
      expect(issue.key).toBe('agent.local.api.password.hash');
      expect(issue.message).not.toContain(bad);
    }
    expect(issuesOf(...MINIMAL, 'agent.local.api.user=a:b')[0].message).toContain("without ':'");
  });

  it('ignores unknown keys', () => {
    expect(read(...MINIMAL, 'queue.size=abc', 'central.websocket.portt=x').plainPort).toBe(8787);
  });

  it.each([
    ['-Djavax.net.ssl.trustStoreType=pkcs12', 'conf/security/truststore.jks', 'pkcs12'],
    ['-Djavax.net.ssl.trustStoreType=JKS -Djavax.net.ssl.trustStore=ts.p12', 'ts.p12', 'jks'],
    ['-Djavax.net.ssl.trustStore=conf/security/truststore.PFX', 'conf/security/truststore.PFX', 'pkcs12'],
    ['-Djavax.net.ssl.trustStore=C:\\\\agent\\\\ts.jks', 'C:\\agent\\ts.jks', 'jks'],
  ])('derives the truststore from %s', (args, path, type) => {
    expect(read(...MINIMAL, `jetty.jvm.args=${args}`).trustStore).toEqual({
      path,
      password: 'changeit',
      type,
    });
  });

  it('reports a bad port with the documented message', () => {
    expect(() => read(...MINIMAL, 'central.websocket.port=abc')).toThrow(
      new AgentConfError([
        { key: 'central.websocket.port', message: 'must be a port number 1-65535 (got "abc")' },
      ]),
    );
    expect(() => read(...MINIMAL, 'central.websocket.port=abc')).toThrow(
      'agent.conf: central.websocket.port: must be a port number 1-65535 (got "abc")',
    );
  });

  it('reports every bad key at once, in table order', () => {
    expect(
      issuesOf(
        'central.websocket.secure=yes',
        'central.websocket.port=0',
        'agent.id=',
        'agent.switch.timeout=0',
        'agent.log.level=trace',
        'jetty.jvm.args=-Djavax.net.ssl.trustStoreType=BKS',
      ),
    ).toEqual([
      { key: 'central.host', message: 'is required' },
      { key: 'central.websocket.port', message: 'must be a port number 1-65535 (got "0")' },
      { key: 'central.websocket.secure', message: 'must be true or false (got "yes")' },
      { key: 'agent.id', message: 'is required but empty' },
      { key: 'agent.switch.timeout', message: 'must be a whole number of seconds 1-3600 (got "0")' },
      { key: 'agent.log.level', message: 'must be one of error, warn, info, debug (got "trace")' },
      { key: 'jetty.jvm.args', message: 'javax.net.ssl.trustStoreType must be JKS or PKCS12 (got "BKS")' },
    ]);
  });

  it('reads agent.group as a comma list of group names and refuses a name with a blank', () => {
    expect(read(...MINIMAL, 'agent.group=south,tills, south').groups).toEqual(['south', 'tills']);
    expect(issuesOf(...MINIMAL, 'agent.group=north east,west')).toEqual([
      {
        key: 'agent.group',
        message:
          "each group must be 1-64 letters, digits, '.', '_' or '-', separated by commas; not \"north east\" (got \"north east,west\")",
      },
    ]);
  });

  it('reads the keys a profile declares local, refusing one that is no key name', () => {
    expect(read(...MINIMAL, 'profile.local.keys=jetty.jvm.args, vendor.site').localKeys).toEqual([
      'jetty.jvm.args',
      'vendor.site',
    ]);
    expect(issuesOf(...MINIMAL, 'profile.local.keys=a=b')[0]?.key).toBe('profile.local.keys');
  });

  it('refuses the same port for plain and secure', () => {
    expect(issuesOf(...MINIMAL, 'central.websocket.secure.port=8787')).toEqual([
      {
        key: 'central.websocket.secure.port',
        message: 'must differ from central.websocket.port (both are 8787)',
      },
    ]);
  });

  it('never puts the truststore password in a message', () => {
    const issues = issuesOf(
      ...MINIMAL,
      "jetty.jvm.args=-Djavax.net.ssl.trustStorePassword='hunter2 -Djavax.net.ssl.trustStoreType=JKS",
    );
    expect(issues).toEqual([
      { key: 'jetty.jvm.args', message: "unterminated ' quote (opened at character 36)" },
    ]);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  it('refuses an empty truststore path', () => {
    expect(issuesOf(...MINIMAL, 'jetty.jvm.args=-Djavax.net.ssl.trustStore=')).toEqual([
      { key: 'jetty.jvm.args', message: 'javax.net.ssl.trustStore is empty' },
    ]);
  });
});
