import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PropertiesDocument } from '../properties/index.js';
import { AGENT_CONF_KEYS, agentWebSocketUrl, readAgentConf } from './index.js';

const TEMPLATE = fileURLToPath(new URL('../../profiles/default/conf/agent.conf', import.meta.url));

describe('profiles/default/conf/agent.conf', () => {
  const text = readFileSync(TEMPLATE, 'utf8');
  const doc = PropertiesDocument.parse(text);

  it('is accepted with the documented starting values', () => {
    const conf = readAgentConf(doc);
    expect(conf).toEqual({
      centralHost: 'localhost',
      plainPort: 8787,
      secure: false,
      securePort: 9150,
      agentId: 'CHANGE-ME',
      groups: [],
      switchTimeoutMs: 30_000,
      upgradeTimeoutMs: 60_000,
      logLevel: 'info',
      localKeys: [],
      trustStore: { path: 'conf/security/truststore.jks', password: 'changeit', type: 'jks' },
      localApi: {
        enabled: false,
        port: 8789,
        maxFileSize: 10 * 1024 * 1024,
        quota: 100 * 1024 * 1024,
        security: 'plain',
        bindAddress: '127.0.0.1',
        tlsCertFile: undefined,
        tlsKeyFile: undefined,
        tlsCaFile: undefined,
        user: 'switchyard',
        passwordHash: undefined,
      },
    });
    expect(agentWebSocketUrl(conf)).toBe('ws://localhost:8787/agent');
  });

  it('sets every key of the table, so operators see them all', () => {
    expect(doc.keys().sort()).toEqual(AGENT_CONF_KEYS.map((k) => k.key).sort());
  });

  it('names the three truststore options explicitly', () => {
    expect(doc.get('jetty.jvm.args')).toBe(
      '-Djavax.net.ssl.trustStore=conf/security/truststore.jks -Djavax.net.ssl.trustStorePassword=changeit ' +
        '-Djavax.net.ssl.trustStoreType=JKS',
    );
  });

  it('survives the edit central makes on the way to secure', () => {
    doc.set('central.websocket.secure', 'true');
    expect(doc.toString()).toBe(
      text.replace('central.websocket.secure=false', 'central.websocket.secure=true'),
    );
    expect(readAgentConf(doc).secure).toBe(true);
  });
});
