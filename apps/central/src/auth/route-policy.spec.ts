import { allowedRoles, permissionsOf, policyFor } from './route-policy.js';

describe('route policy', () => {
  it.each([
    ['PUT', '/api/settings/websocket', ['admin']],
    ['POST', '/api/certificates/server/import', ['admin']],
    ['POST', '/api/certificates/acme', ['admin']],
    ['POST', '/api/users', ['admin']],
    ['GET', '/api/users', ['admin']],
    ['POST', '/api/agents/enrollment-tokens', ['operator', 'admin']],
    ['POST', '/api/agents/:id/revoke-certificate', ['operator', 'admin']],
    ['DELETE', '/api/agents/:id', ['operator', 'admin']],
    ['PUT', '/api/profiles/:name', ['operator', 'admin']],
    ['POST', '/api/rollouts/:id/pause', ['operator', 'admin']],
    ['POST', '/api/migration/advance', ['operator', 'admin']],
    ['POST', '/api/auth/logout', ['viewer', 'operator', 'admin']],
    ['GET', '/api/settings/websocket', ['viewer', 'operator', 'admin']],
    ['HEAD', '/api/audit', ['viewer', 'operator', 'admin']],
    // not classified yet: writes are admin only
    ['POST', '/api/something-new', ['admin']],
    ['PATCH', '/api/profile-signing-key', ['admin']],
  ])('%s %s → %j', (method, path, roles) => {
    expect(allowedRoles(method, path)).toEqual(roles);
  });

  it('matches whole path segments only', () => {
    expect(policyFor('/api/agentsx')).toBeUndefined();
    expect(policyFor('/api/agents')?.writes).toBe('operator');
    expect(allowedRoles('POST', '/api/usersettings')).toEqual(['admin']);
    expect(allowedRoles('GET', '/api/usersettings')).toEqual(['viewer', 'operator', 'admin']);
  });

  it('lets @Roles() on the handler win over the table, for reads and writes', () => {
    expect(allowedRoles('PUT', '/api/settings/websocket', ['operator'])).toEqual(['operator']);
    expect(allowedRoles('GET', '/api/agents', ['admin'])).toEqual(['admin']);
    expect(allowedRoles('POST', '/api/agents/x', [])).toEqual(['operator', 'admin']);
  });

  it('derives the permissions the UI needs from the same table', () => {
    expect(permissionsOf('viewer')).toEqual({
      'settings.write': false,
      'certificates.write': false,
      'profiles.write': false,
      'rollouts.write': false,
      'migration.write': false,
      'agents.write': false,
      'users.manage': false,
    });
    expect(permissionsOf('operator')).toEqual({
      'settings.write': false,
      'certificates.write': false,
      'profiles.write': true,
      'rollouts.write': true,
      'migration.write': true,
      'agents.write': true,
      'users.manage': false,
    });
    expect(Object.values(permissionsOf('admin')).every(Boolean)).toBe(true);
  });
});
