import { Controller, Get, Query, Res } from '@nestjs/common';
import { type Response } from 'express';
import { parseBody } from '../common/parse-body.js';
import { AuditService } from './audit.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { auditCsv } from './audit-csv.js';
import {
  auditExportQuerySchema as exportSchema,
  auditListSchema,
  auditQuerySchema as querySchema,
} from '../../../../libs/api/audit.js';

/** Rows one CSV export holds at most (newest first); older ones are reached with `to`. */
const EXPORT_LIMIT = 50_000;

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiDoc({
    summary: 'Audit log, newest first; each entry carries `summary`, the action in words',
    query: querySchema,
    response: auditListSchema,
  })
  list(@Query() query: unknown) {
    return this.audit.list(parseBody(querySchema, query));
  }

  @Get('export')
  @ApiDoc({
    summary: `The filtered audit log as CSV (at most ${EXPORT_LIMIT} entries)`,
    query: exportSchema,
    produces: 'text/csv',
  })
  async export(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const entries = await this.audit.list({ ...parseBody(exportSchema, query), limit: EXPORT_LIMIT });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="switchyard-audit-${stamp}Z.csv"`);
    res.send(auditCsv(entries));
  }
}
