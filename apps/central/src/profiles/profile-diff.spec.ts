import { type DiffSide, diffProfiles } from './profile-diff.js';

const side = (
  ref: DiffSide['ref'],
  agentConf: string,
  prints: string[],
  extra: Partial<DiffSide> = {},
): DiffSide => ({
  ref,
  agentConf,
  truststore: prints.map((p) => ({ alias: `a-${p}`, fingerprintSha256: p, subject: `CN=${p}` })),
  minimumAgentVersion: '0.1.0',
  requiredCapabilities: [],
  ...extra,
});
const ARGS = (pw: string) => `jetty.jvm.args=-Djavax.net.ssl.trustStorePassword=${pw}\n`;

describe('diffProfiles', () => {
  it('lists added, changed and removed keys and certificates by fingerprint', () => {
    const diff = diffProfiles(
      side(1, 'a=1\nb=2\n' + ARGS('p'), ['AA', 'BB']),
      side(2, 'b=3\nc=4\n' + ARGS('p'), ['BB', 'CC'], {
        requiredCapabilities: ['wss'],
        minimumAgentVersion: '0.2.0',
      }),
    );
    expect(diff.agentConf).toEqual([
      { key: 'b', change: 'changed', old: '2', new: '3' },
      { key: 'c', change: 'added', new: '4' },
      { key: 'a', change: 'removed', old: '1' },
    ]);
    expect(diff.truststore.added.map((c) => c.fingerprintSha256)).toEqual(['CC']);
    expect(diff.truststore.removed.map((c) => c.fingerprintSha256)).toEqual(['AA']);
    expect(diff.requiredCapabilities).toEqual({ added: ['wss'], removed: [] });
    expect(diff.minimumAgentVersion).toEqual({ old: '0.1.0', new: '0.2.0' });
    expect(diff.truststorePassword).toBe('unchanged');
    expect(diff.identical).toBe(false);
  });

  it('never shows a password: "(set)" on the old side, "(changed)" on the new', () => {
    const diff = diffProfiles(side(1, ARGS('old-secret'), ['AA']), side('draft', ARGS('new-secret'), ['AA']));
    expect(diff.truststorePassword).toBe('changed');
    expect(diff.agentConf).toEqual([
      {
        key: 'jetty.jvm.args',
        change: 'changed',
        old: '-Djavax.net.ssl.trustStorePassword=(set)',
        new: '-Djavax.net.ssl.trustStorePassword=(changed)',
      },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/secret/);
  });

  it('reports identical sides', () => {
    expect(diffProfiles(side(1, 'a=1\n', ['AA']), side(2, 'a=1\n', ['AA'])).identical).toBe(true);
  });
});
