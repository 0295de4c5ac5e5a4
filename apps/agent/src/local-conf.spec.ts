import { parseLayeredConf } from './agent-conf-file.js';
import { layerLocalConf, localConfForProfile } from './local-conf.js';

const PROFILE = [
  '# the north profile',
  'central.host=central.example.com',
  'agent.id=branch-04',
  'agent.group=north',
  'jetty.jvm.args=-Xmx64m',
  'profile.local.keys=jetty.jvm.args',
  '',
].join('\n');

describe('agent.local.conf laid over agent.conf (ADR 37)', () => {
  it('keeps the local value of every local key and the profile text around it', () => {
    const layered = layerLocalConf(PROFILE, 'agent.group=south\njetty.jvm.args=-Xmx2g\n');
    expect(layered.text).toBe(
      PROFILE.replace('agent.group=north', 'agent.group=south').replace('-Xmx64m', '-Xmx2g'),
    );
    expect(layered.notes).toEqual([]);
  });

  it('ignores, with a note, a local value for a key the profile owns', () => {
    const layered = layerLocalConf(PROFILE, 'central.host=evil.example.com\nagent.group=south\n');
    expect(layered.text).toContain('central.host=central.example.com');
    expect(layered.text).toContain('agent.group=south');
    expect(layered.notes).toEqual([
      'conf/agent.local.conf sets central.host, which the profile owns (local keys: agent.id, agent.group, jetty.jvm.args): ignored',
    ]);
  });

  it('lets an empty local agent.group mean "no group" even when the profile names one', () => {
    const loaded = parseLayeredConf(PROFILE, 'agent.group=\n');
    expect(loaded.ok && loaded.conf.groups).toEqual([]);
  });

  it('reads the groups of the effective conf, and names agent.local.conf when it cannot be parsed', () => {
    const loaded = parseLayeredConf(PROFILE, 'agent.group=south,tills\n');
    expect(loaded.ok && loaded.conf.groups).toEqual(['south', 'tills']);
    const broken = parseLayeredConf(PROFILE, 'agent.group=\\u12\n');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.issues[0]).toMatch(/^conf\/agent\.local\.conf cannot be parsed: /);
  });
});

describe('the agent.local.conf a profile is staged with', () => {
  const INSTALLED = [
    'central.host=central.example.com',
    'agent.id=branch-04',
    'agent.group=south',
    'jetty.jvm.args=-Xmx2g -Djavax.net.ssl.trustStorePassword=site-secret',
    'agent.log.level=debug',
    '',
  ].join('\n');

  it('on a first apply takes the local keys from the installer agent.conf, and only those', () => {
    const local = localConfForProfile(PROFILE, 'branch-04', {
      localText: undefined,
      confText: INSTALLED,
      profileActive: false,
    });
    expect(local.created).toBe(true);
    const layered = parseLayeredConf(PROFILE, local.text);
    expect(layered.ok && layered.conf).toMatchObject({
      agentId: 'branch-04',
      groups: ['south'],
      logLevel: 'info',
    });
    expect(local.text).toContain('jetty.jvm.args=-Xmx2g');
    expect(local.text).not.toContain('agent.log.level');
    // The note names keys, never values: a local jetty.jvm.args may hold a password.
    expect(local.notes).toEqual([
      'created conf/agent.local.conf with agent.id and, from conf/agent.conf, agent.group, jetty.jvm.args',
    ]);
  });

  it("after a profile takes only agent.id: that agent.conf holds the profile's values, not the site's", () => {
    const local = localConfForProfile(PROFILE, 'branch-04', {
      localText: undefined,
      confText: INSTALLED,
      profileActive: true,
    });
    expect(local.text).not.toMatch(/^agent\.group/m);
    expect(local.text).toContain('agent.id=branch-04');
  });

  it('keeps an existing agent.local.conf as it is, and refuses one that cannot be parsed', () => {
    const own = '# mine\nagent.group=south\n';
    expect(localConfForProfile(PROFILE, 'branch-04', { localText: own, confText: INSTALLED, profileActive: true }))
      .toEqual({ text: own, notes: [], created: false }); // prettier-ignore
    expect(() =>
      localConfForProfile(PROFILE, 'branch-04', { localText: 'a=\\uZZZZ', confText: INSTALLED, profileActive: true }),
    ).toThrow(/^conf\/agent\.local\.conf cannot be parsed/); // prettier-ignore
  });
});
