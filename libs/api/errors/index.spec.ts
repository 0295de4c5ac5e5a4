import { API_ERRORS, categoryOf, ERROR_DOMAINS, httpStatusOf, isApiErrorCode } from './index.js';
import { HTTP_STATUS_BY_CATEGORY } from './category.js';

describe('API error codes', () => {
  it('gives each code to exactly one domain (a second one would silently win the merge)', () => {
    const owners = new Map<string, string[]>();
    for (const [domain, table] of Object.entries(ERROR_DOMAINS))
      for (const code of Object.keys(table)) owners.set(code, [...(owners.get(code) ?? []), domain]);
    const shared = [...owners].filter(([, domains]) => domains.length > 1);
    expect(shared).toEqual([]);
    expect(Object.keys(API_ERRORS).sort()).toEqual([...owners.keys()].sort());
  });

  it('spells codes in lower snake case and maps each to a category with an HTTP status', () => {
    for (const [code, category] of Object.entries(API_ERRORS)) {
      expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(HTTP_STATUS_BY_CATEGORY[category]).toBeGreaterThanOrEqual(400);
    }
  });

  it('keeps the statuses the generic codes always had', () => {
    expect(httpStatusOf('rollout_not_paused')).toBe(409);
    expect(httpStatusOf('rollout_not_found')).toBe(404);
    expect(httpStatusOf('would_strand_agents')).toBe(409);
    expect(httpStatusOf('too_many_login_attempts')).toBe(429);
    expect(httpStatusOf('csrf_token_invalid')).toBe(403);
    expect(httpStatusOf('certificate_unusable')).toBe(400);
    expect(categoryOf('step_out_of_order')).toBe('conflict');
  });

  it('tells a known code from any other string', () => {
    expect(isApiErrorCode('rollout_not_paused')).toBe(true);
    expect(isApiErrorCode('conflict')).toBe(false);
    expect(isApiErrorCode('toString')).toBe(false);
    expect(isApiErrorCode(undefined)).toBe(false);
  });
});
