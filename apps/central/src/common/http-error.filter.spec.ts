import { type ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { DomainError, ValidationError } from './domain-error.js';
import { HttpErrorFilter } from './http-error.filter.js';

interface Answer {
  status?: number;
  body?: Record<string, unknown>;
  headers: Record<string, string>;
}

function answerTo(exception: unknown): Answer {
  const answer: Answer = { headers: {} };
  const res = {
    status(code: number) {
      answer.status = code;
      return res;
    },
    json(body: Record<string, unknown>) {
      answer.body = body;
      return res;
    },
    setHeader(name: string, value: string) {
      answer.headers[name] = value;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return answer;
}

describe('HttpErrorFilter: one body for every refusal (ADR 49)', () => {
  it('answers the category in `error` (as always), the domain code in `code`, and the details', () => {
    const refusal = new DomainError('rollout_not_paused', 'cannot resume a rollout that is running', {
      state: 'running',
    });
    expect(answerTo(refusal)).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        code: 'rollout_not_paused',
        message: 'cannot resume a rollout that is running',
        state: 'running',
      },
      headers: {},
    });
  });

  it('takes the status from the category: 404, 409 for stranding, 400 with the issues', () => {
    expect(answerTo(new DomainError('profile_not_found', 'no profile named x')).status).toBe(404);
    expect(answerTo(new DomainError('would_strand_agents', 'x', { stranded: [] }))).toMatchObject({
      status: 409,
      body: { error: 'would_strand_agents', code: 'would_strand_agents' },
    });
    expect(answerTo(new ValidationError([{ field: 'reason', message: 'required' }]))).toMatchObject({
      status: 400,
      body: { error: 'validation_failed', code: 'validation_failed', issues: [{ field: 'reason' }] },
    });
  });

  it('never lets a detail overwrite error, code or message', () => {
    const refusal = new DomainError('agent_not_found', 'no agent "a"', {
      code: 'x',
      error: 'y',
      message: 'z',
    });
    expect(answerTo(refusal).body).toEqual({
      error: 'not_found',
      code: 'agent_not_found',
      message: 'no agent "a"',
    });
  });

  it('sends Retry-After with a rate-limited login', () => {
    const limited = new DomainError('too_many_login_attempts', 'too many', { retryAfterSeconds: 30 });
    expect(answerTo(limited)).toMatchObject({ status: 429, headers: { 'Retry-After': '30' } });
  });

  it('names an unknown route, an unreadable body and a bug with common codes', () => {
    expect(answerTo(new NotFoundException('Cannot GET /api/nope'))).toMatchObject({
      status: 404,
      body: { error: 'not_found', code: 'route_not_found' },
    });
    const unparsable = Object.assign(new SyntaxError('Unexpected token'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    expect(answerTo(unparsable)).toMatchObject({
      status: 400,
      body: { error: 'validation_failed', code: 'request_body_unreadable' },
    });
    Logger.overrideLogger(false); // the stack of this deliberate bug is not news
    try {
      expect(answerTo(new Error('boom'))).toEqual({
        status: 500,
        body: {
          error: 'internal_error',
          code: 'internal_error',
          message: 'internal error (see the central log)',
        },
        headers: {},
      });
    } finally {
      Logger.overrideLogger(['log', 'error', 'warn']);
    }
  });
});
