import { rolloutKindWords, rolloutSubject } from './rollout-subject.js';

describe('rolloutSubject', () => {
  it('names a profile rollout by profile and revision, also without a kind (older central)', () => {
    expect(rolloutSubject({ profile: 'default', revision: 3 })).toBe('default r3');
    expect(rolloutSubject({ profile: 'default', revision: 3, kind: 'profile' })).toBe('default r3');
    expect(rolloutKindWords({ profile: 'default', revision: 3 })).toBe('profile revision');
  });

  it('names an agent upgrade by its package version, never "null rnull"', () => {
    const r = { profile: null, revision: null, kind: 'agent_package', packageVersion: '1.0.0' };
    expect(rolloutSubject(r)).toBe('agent package 1.0.0');
    expect(rolloutKindWords(r)).toBe('agent upgrade to version 1.0.0 (agent package)');
  });
});
