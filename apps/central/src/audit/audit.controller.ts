import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { parseBody } from '../common/parse-body.js';
import { AuditService } from './audit.service.js';
import { ApiDoc } from '../api-docs/api-doc.decorator.js';

const querySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.string().regex(/^\d+$/, 'must be an audit entry id').optional(),
  search: z.string().max(200).optional(),
});

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiDoc({ query: querySchema })
  list(@Query() query: unknown) {
    return this.audit.list(parseBody(querySchema, query));
  }
}
