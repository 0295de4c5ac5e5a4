import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type Response } from 'express';
import { type ApiErrorBody, httpStatusOf } from '../../../../libs/api/errors/index.js';
import { DomainError } from './domain-error.js';

/**
 * Maps domain errors to `{ error: category, code, message, ...details }` (ADR 49); anything unexpected
 * becomes a bare 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      const retryAfter = exception.details.retryAfterSeconds;
      if (exception.category === 'too_many_attempts' && typeof retryAfter === 'number') {
        res.setHeader('Retry-After', String(retryAfter));
      }
      // Details first: a detail can never overwrite the fields every client reads.
      const body: ApiErrorBody = {
        ...exception.details,
        error: exception.category,
        code: exception.code,
        message: exception.message,
      };
      res.status(httpStatusOf(exception.code)).json(body);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const answer = exception.getResponse();
      const message =
        typeof answer === 'string'
          ? answer
          : ((answer as { message?: unknown }).message ?? exception.message);
      // Body parser errors (malformed JSON) arrive here as 400s.
      const kind =
        status === 404
          ? { error: 'not_found', code: 'route_not_found' }
          : { error: 'http_error', code: 'http_error' };
      res.status(status).json({ ...kind, message });
      return;
    }
    const e = exception as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed' || e?.type === 'entity.too.large') {
      const body: ApiErrorBody = {
        error: 'validation_failed',
        code: 'request_body_unreadable',
        message: `request body: ${e.message}`,
      };
      res.status(e.status ?? 400).json(body);
      return;
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    const body: ApiErrorBody = {
      error: 'internal_error',
      code: 'internal_error',
      message: 'internal error (see the central log)',
    };
    res.status(500).json(body);
  }
}
