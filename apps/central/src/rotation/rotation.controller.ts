import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { IMPORT_LIMITS } from '../certificates/certificate-import.js';
import { DomainError } from '../common/domain-error.js';
import { parseBody } from '../common/parse-body.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import {
  abortRotationSchema,
  advanceRotationSchema,
  rotationIdSchema,
  rotationListSchema,
  rotationQuerySchema,
  rotationSchema,
  stageFieldsSchema,
} from '../../../../libs/api/rotation.js';
import { type RotationActor } from './rotation-deps.js';
import { RotationService } from './rotation.service.js';

interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

const actorOf = (req: AuthenticatedRequest): RotationActor => ({
  name: req.actor?.username ?? 'unknown',
  address: clientAddress(req),
});

/** The staged certificate rotation (ADR 30); writes need the certificates' role (admin). */
@Controller('certificates/rotations')
export class RotationController {
  constructor(@Inject(RotationService) private readonly rotations: RotationService) {}

  @Get()
  @ApiDoc({ response: rotationListSchema })
  list() {
    return this.rotations.list();
  }

  /** The rotation under way (else the latest) with live progress; 404 when there was never one. */
  @Get('current')
  @ApiDoc({ query: rotationQuerySchema, response: rotationSchema })
  async current(@Query() query: unknown) {
    const current = await this.rotations.current(parseBody(rotationQuerySchema, query).limit);
    if (!current) throw new DomainError('rotation_not_found', 'no certificate rotation was ever staged');
    return current;
  }

  @Get(':id')
  @ApiDoc({ query: rotationQuerySchema, response: rotationSchema })
  get(@Param('id') id: string, @Query() query: unknown) {
    return this.rotations.view(parseBody(rotationIdSchema, id), parseBody(rotationQuerySchema, query).limit);
  }

  /** Step 1, multipart/form-data like `POST /api/certificates/server/import`, plus a `reason`. */
  @Post()
  @UseInterceptors(
    AnyFilesInterceptor({
      limits: { files: IMPORT_LIMITS.files + 1, fileSize: IMPORT_LIMITS.bytesPerFile + 1, fields: 5 },
    }),
  )
  @ApiDoc({ upload: 'file', body: stageFieldsSchema, response: rotationSchema })
  stage(
    @UploadedFiles() files: UploadedFile[] | undefined,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const fields = parseBody(stageFieldsSchema, body);
    return this.rotations.stage(
      {
        files: (files ?? []).map((f) => ({ name: f.originalname, bytes: f.buffer })),
        ...(fields.password !== undefined ? { password: fields.password } : {}),
        ...(fields.hosts !== undefined ? { hosts: fields.hosts } : {}),
        reason: fields.reason,
      },
      actorOf(req),
    );
  }

  /** The next step: publish the trust of both anchors → (gate) activate → complete (clean-up). */
  @Post(':id/advance')
  @HttpCode(200)
  @ApiDoc({ body: advanceRotationSchema, response: rotationSchema })
  advance(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.rotations.advance(
      parseBody(rotationIdSchema, id),
      parseBody(advanceRotationSchema, body),
      actorOf(req),
    );
  }

  @Post(':id/abort')
  @HttpCode(200)
  @ApiDoc({ body: abortRotationSchema, response: rotationSchema })
  abort(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.rotations.abort(
      parseBody(rotationIdSchema, id),
      parseBody(abortRotationSchema, body),
      actorOf(req),
    );
  }
}
