import { ApiError } from '../../api/client.js';
import { userRefusal } from './user-words.js';

describe('userRefusal: the API refusals of user and password changes in the screen’s words', () => {
  it('puts field issues under their fields and says nothing changed', () => {
    const e = new ApiError(400, 'validation_failed', 'password: must be at least 12 characters', {
      issues: [{ field: 'password', message: 'must be at least 12 characters' }],
    });
    expect(userRefusal(e)).toEqual({
      message: 'Nothing was changed: correct the fields marked below.',
      fields: { password: 'must be at least 12 characters' },
    });
  });

  it('keeps an issue with no field of its own in the message', () => {
    const e = new ApiError(400, 'validation_failed', 'x', {
      issues: [{ field: 'body', message: 'unknown field(s): force' }],
    });
    expect(userRefusal(e).message).toBe('body: unknown field(s): force');
  });

  it('names the wrong current password under its field', () => {
    const e = new ApiError(403, 'current_password_wrong', 'the current password is wrong', {
      error: 'forbidden',
    });
    expect(userRefusal(e).fields).toEqual({ currentPassword: 'this is not your current password' });
  });

  it('tells how long to wait after too many wrong passwords', () => {
    const e = new ApiError(429, 'too_many_login_attempts', 'too many login attempts, try again later', {
      error: 'too_many_attempts',
      retryAfterSeconds: 30,
    });
    expect(userRefusal(e).message).toBe('Too many wrong passwords: wait (about 30 s) and try again.');
  });

  it('does not take another refusal of the same category for a wrong current password', () => {
    const e = new ApiError(403, 'role_insufficient', 'this needs the admin role; you are viewer', {
      error: 'forbidden',
    });
    expect(userRefusal(e)).toEqual({ message: 'This needs the admin role; you are viewer', fields: {} });
  });

  it('keeps the API sentence for the last-admin rule, capitalised', () => {
    const e = new ApiError(
      409,
      'last_admin',
      'cannot demote "admin": it is the last admin (make another user admin first)',
      {},
    );
    expect(userRefusal(e).message).toBe(
      'Cannot demote "admin": it is the last admin (make another user admin first)',
    );
  });

  it('never shows a raw browser exception', () => {
    expect(userRefusal(new TypeError('Failed to fetch')).message).toBe('central is not answering');
  });
});
