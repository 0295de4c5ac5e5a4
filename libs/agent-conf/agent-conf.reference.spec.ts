import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AgentConfKeys } from './agent-conf.keys.js';
import { AGENT_CONF_KEYS, renderAgentConfReference } from './index.js';

const REFERENCE = fileURLToPath(new URL('../../docs/agent-conf.md', import.meta.url));

describe('agent.conf key table', () => {
  it('has unique keys, a description for each, and a default exactly for the optional ones', () => {
    expect(new Set(AGENT_CONF_KEYS.map((k) => k.key)).size).toBe(AGENT_CONF_KEYS.length);
    for (const key of AGENT_CONF_KEYS) {
      expect(key.description.length).toBeGreaterThan(20);
      expect(key.default === undefined).toBe(key.required);
    }
  });

  it('has defaults that its own value types accept', () => {
    for (const definition of Object.values(AgentConfKeys)) {
      if (definition.default !== undefined && definition.default !== '') {
        expect({ key: definition.key, ok: definition.valueType.parse(definition.default).ok }).toEqual({
          key: definition.key,
          ok: true,
        });
      }
    }
  });

  it('lists the keys of the design contract', () => {
    expect(AGENT_CONF_KEYS.map((k) => [k.key, k.default ?? 'required'])).toEqual([
      ['central.host', 'required'],
      ['central.websocket.port', '8787'],
      ['central.websocket.secure', 'false'],
      ['central.websocket.secure.port', '9150'],
      ['agent.id', 'required'],
      ['agent.group', ''],
      ['agent.switch.timeout', '30'],
      ['agent.upgrade.timeout', '60'],
      ['jetty.jvm.args', ''],
      ['agent.log.level', 'info'],
      ['agent.local.api.enabled', 'false'],
      ['agent.local.api.security', 'plain'],
      ['agent.local.api.bind.address', '127.0.0.1'],
      ['agent.local.api.port', '8789'],
      ['agent.local.api.files.max.size', '10'],
      ['agent.local.api.files.quota', '100'],
      ['agent.local.api.tls.cert', ''],
      ['agent.local.api.tls.key', ''],
      ['agent.local.api.tls.ca', ''],
      ['agent.local.api.user', 'switchyard'],
      ['agent.local.api.password.hash', ''],
      ['profile.local.keys', ''],
    ]);
  });
});

describe('docs/agent-conf.md', () => {
  // UPDATE_DOCS=1 rewrites the file from the table instead of comparing.
  if (process.env.UPDATE_DOCS === '1') writeFileSync(REFERENCE, renderAgentConfReference());

  it('is the rendering of the key table (UPDATE_DOCS=1 npx jest libs/agent-conf regenerates it)', () => {
    expect(readFileSync(REFERENCE, 'utf8')).toBe(renderAgentConfReference());
  });

  it('documents every key once, with pipes escaped', () => {
    const rows = renderAgentConfReference()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)![1])).toEqual(AGENT_CONF_KEYS.map((k) => k.key));
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(7);
  });
});
