import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type Response } from 'express';
import { DomainError, ErrorCode } from './domain-error.js';

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION:
    case ErrorCode.CERTIFICATE_REJECTED:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.CSRF_FAILED:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.CONFLICT:
    case ErrorCode.WOULD_STRAND_AGENTS:
    case ErrorCode.LISTENER_FAILED:
      return 409;
    case ErrorCode.TOO_MANY_ATTEMPTS:
      return 429;
    case ErrorCode.UNAVAILABLE:
      return 503;
  }
}

/** Maps domain errors to `{ error, message, ...details }`; anything unexpected becomes a bare 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      const retryAfter = exception.details.retryAfterSeconds;
      if (exception.code === ErrorCode.TOO_MANY_ATTEMPTS && typeof retryAfter === 'number') {
        res.setHeader('Retry-After', String(retryAfter));
      }
      res
        .status(httpStatusOf(exception.code))
        .json({ error: exception.code, message: exception.message, ...exception.details });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      // Body parser errors (malformed JSON) arrive here as 400s.
      res.status(status).json({ error: status === 404 ? ErrorCode.NOT_FOUND : 'http_error', message });
      return;
    }
    const e = exception as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed' || e?.type === 'entity.too.large') {
      res
        .status(e.status ?? 400)
        .json({ error: ErrorCode.VALIDATION, message: `request body: ${e.message}` });
      return;
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    res.status(500).json({ error: 'internal_error', message: 'internal error (see the central log)' });
  }
}
