import { Controller, Delete, Get, Param, Query, Req } from '@nestjs/common';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { SessionsService } from './sessions.service.js';
import { type SessionRequest } from './session-request.js';

import {
  loginSessionListSchema,
  sessionEndedSchema,
  sessionIdSchema,
  sessionListQuerySchema as listQuerySchema,
} from '../../../../libs/api/auth.js';

/** Open to every role (route policy `/api/auth`); the service narrows what a non-admin sees and ends. */
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiDoc({
    summary: 'Live login sessions: yours, or everyone’s with scope=all (admin)',
    query: listQuerySchema,
    response: loginSessionListSchema,
  })
  list(@Query() query: unknown, @Req() req: SessionRequest) {
    return this.sessions.list(req.session!, parseBody(listQuerySchema, query).scope);
  }

  /** Ending the caller's own current session logs them out. Audited by the audit interceptor. */
  @Delete(':id')
  @ApiDoc({ summary: 'End a login session (yours; anyone’s for an admin)', response: sessionEndedSchema })
  end(@Param('id') id: string, @Req() req: SessionRequest) {
    return this.sessions.end(req.session!, parseBody(sessionIdSchema, id));
  }
}
