import { ConfigError, loadCentralConfig } from './central-config.js';

describe('loadCentralConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadCentralConfig({});
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.heartbeatIntervalMs).toBe(15000);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadCentralConfig({
        SWITCHYARD_HTTP_PORT: '70000',
        DATABASE_URL: 'mysql://x',
        SWITCHYARD_MASTER_KEY: 'short',
        SWITCHYARD_ADMIN_PASSWORD: 'abc',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const vars = (error as ConfigError).issues.map((i) => i.variable).sort();
    expect(vars).toEqual([
      'DATABASE_URL',
      'SWITCHYARD_ADMIN_PASSWORD',
      'SWITCHYARD_HTTP_PORT',
      'SWITCHYARD_MASTER_KEY',
    ]);
    expect((error as Error).message).toContain('SWITCHYARD_HTTP_PORT: must be a port number 1-65535');
  });

  it('reads trusted proxies as addresses, CIDR ranges and named ranges, and names a bad one', () => {
    expect(loadCentralConfig({}).trustedProxies).toEqual([]);
    expect(
      loadCentralConfig({ SWITCHYARD_TRUSTED_PROXIES: ' 10.0.0.0/8, loopback ,::1,fd00::/8' }).trustedProxies,
    ).toEqual(['10.0.0.0/8', 'loopback', '::1', 'fd00::/8']);
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/1', '::1/129'])
      expect(() => loadCentralConfig({ SWITCHYARD_TRUSTED_PROXIES: bad })).toThrow(
        'SWITCHYARD_TRUSTED_PROXIES: must be a comma-separated list of IP addresses',
      );
  });

  it('accepts a hex or base64 master key of 32 bytes', () => {
    const hex = 'ab'.repeat(32);
    expect(loadCentralConfig({ SWITCHYARD_MASTER_KEY: hex }).masterKey?.toString('hex')).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadCentralConfig({ SWITCHYARD_MASTER_KEY: b64 }).masterKey).toEqual(Buffer.alloc(32, 7));
  });

  it('reads per-node agent ports and names a bad or clashing one', () => {
    expect(loadCentralConfig({}).agentPorts).toEqual({ plain: undefined, secure: undefined });
    expect(
      loadCentralConfig({ SWITCHYARD_AGENT_PLAIN_PORT: '18787', SWITCHYARD_AGENT_SECURE_PORT: '19150' })
        .agentPorts,
    ).toEqual({ plain: 18787, secure: 19150 });
    expect(() => loadCentralConfig({ SWITCHYARD_AGENT_SECURE_PORT: 'tls' })).toThrow(
      'SWITCHYARD_AGENT_SECURE_PORT: must be a port number 1-65535',
    );
    expect(() =>
      loadCentralConfig({ SWITCHYARD_HTTP_PORT: '9000', SWITCHYARD_AGENT_PLAIN_PORT: '9000' }),
    ).toThrow('SWITCHYARD_AGENT_PLAIN_PORT: must differ from SWITCHYARD_HTTP_PORT (both 9000)');
    expect(() =>
      loadCentralConfig({ SWITCHYARD_AGENT_PLAIN_PORT: '9001', SWITCHYARD_AGENT_SECURE_PORT: '9001' }),
    ).toThrow('SWITCHYARD_AGENT_SECURE_PORT: must differ from SWITCHYARD_AGENT_PLAIN_PORT (both 9001)');
  });
});
