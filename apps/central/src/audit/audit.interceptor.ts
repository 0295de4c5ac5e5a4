import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable, catchError, concatMap, from, map } from 'rxjs';
import { DomainError } from '../common/domain-error.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import { AuditService, redactSecrets } from './audit.service.js';
import { requestAudit, type RequestAudit } from './request-audit.context.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every write through the API leaves an audit record (who, UTC time, address, what, outcome),
 * whether it succeeded or was refused. Bodies are stored with secrets redacted.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!WRITES.has(req.method)) return next.handle();
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const action = `${req.method} ${route}`;
    const target = Object.values(req.params ?? {}).join('/') || null;
    const who = () => ({ username: req.actor?.username ?? 'anonymous', address: clientAddress(req) });
    // Read when the record is written: multipart fields and files are only parsed by then.
    const details = (): Record<string, unknown> => {
      const files = (req as { files?: Array<{ originalname: string; size: number }> }).files;
      return {
        body: redactSecrets(req.body ?? {}),
        ...(Array.isArray(files)
          ? { files: files.map((f) => ({ name: f.originalname, bytes: f.size })) }
          : {}),
      };
    };
    // The handler runs inside this request's audit context: a service that records the action in its own
    // words marks it, and the generic route record is then left out (one action, one line).
    const request: RequestAudit = { recorded: false };
    const handled = new Observable<unknown>((subscriber) =>
      requestAudit.run(request, () => next.handle().subscribe(subscriber)),
    );
    // The record is written before the response goes out, so a client that reads the audit next sees it.
    return handled.pipe(
      concatMap((result: unknown) =>
        from(this.audit.recordRoute(request, who(), action, 'success', target, details())).pipe(
          map(() => result),
        ),
      ),
      catchError((error: unknown) =>
        from(
          this.audit.recordRoute(
            request,
            who(),
            action,
            error instanceof DomainError ? 'refused' : 'failed',
            target,
            {
              ...details(),
              reason: error instanceof Error ? error.message : String(error),
            },
          ),
        ).pipe(
          map(() => {
            throw error;
          }),
        ),
      ),
    );
  }
}
