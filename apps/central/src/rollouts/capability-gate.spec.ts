import { compareVersions, parseVersion } from './agent-version.js';
import { upgradeNeeded } from './capability-gate.js';

const v = (s: string) => parseVersion(s)!;

describe('agent versions', () => {
  it('compares by semver precedence, numerically', () => {
    expect(compareVersions(v('1.10.0'), v('1.9.9'))).toBeGreaterThan(0);
    expect(compareVersions(v('2.0.0-rc.1'), v('2.0.0'))).toBeLessThan(0);
    expect(compareVersions(v('2.0.0-rc.10'), v('2.0.0-rc.9'))).toBeGreaterThan(0);
    expect(compareVersions(v('v1.2.3+build.5'), v('1.2.3'))).toBe(0);
    expect(parseVersion('latest')).toBeUndefined();
  });
});

describe('upgradeNeeded', () => {
  const revision = { minimumAgentVersion: '1.4.0', requiredCapabilities: ['wss', 'mtls'] };

  it('names what is missing', () => {
    expect(upgradeNeeded(revision, { agentVersion: '1.3.9', capabilities: ['wss'] })).toBe(
      'agent version 1.3.9 is below the minimum 1.4.0; lacks capability mtls',
    );
    expect(upgradeNeeded(revision, { agentVersion: 'dev', capabilities: ['wss', 'mtls'] })).toMatch(/below/);
  });

  it('passes a capable agent, and one that never said hello (checked again at its hello)', () => {
    expect(upgradeNeeded(revision, { agentVersion: '1.4.0', capabilities: ['mtls', 'wss'] })).toBeUndefined();
    expect(upgradeNeeded(revision, { agentVersion: null, capabilities: [] })).toBeUndefined();
  });
});
