import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { z } from 'zod';
import { MAX_AGENT_PACKAGE_BYTES, PACKAGE_VERSION_PATTERN } from '../../../../libs/agent-package/index.js';
import {
  agentPackageListSchema,
  agentPackageSchema,
  agentPackageUploadFieldsSchema as uploadFields,
  agentPackageUploadSchema,
} from '../../../../libs/api/agent-packages.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { AgentPackagesService } from './agent-packages.service.js';

const versionParam = z.string().regex(PACKAGE_VERSION_PATTERN, 'must be a version such as 1.2.3');

interface MulterFile {
  originalname: string;
  buffer: Buffer;
}

@Controller('agent-packages')
export class AgentPackagesController {
  constructor(private readonly packages: AgentPackagesService) {}

  @Get()
  @ApiDoc({ response: agentPackageListSchema })
  list() {
    return this.packages.list();
  }

  @Get(':version')
  @ApiDoc({ response: agentPackageSchema })
  get(@Param('version') version: string) {
    return this.packages.get(parseBody(versionParam, version));
  }

  /** multipart/form-data: the `.tar.gz`, `.manifest.json` and `.manifest.sig` (any field name), `allowDowngrade`. */
  @Post()
  @HttpCode(200)
  @UseInterceptors(
    AnyFilesInterceptor({ limits: { files: 4, fileSize: MAX_AGENT_PACKAGE_BYTES + 1, fields: 2 } }),
  )
  @ApiDoc({ upload: 'file', body: uploadFields, response: agentPackageUploadSchema })
  upload(
    @UploadedFiles() files: MulterFile[] | undefined,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
  ) {
    const fields = parseBody(uploadFields, body ?? {});
    return this.packages.upload(
      (files ?? []).map((f) => ({ name: f.originalname, bytes: f.buffer })),
      { allowDowngrade: fields.allowDowngrade ?? false },
      req.actor?.username ?? 'unknown',
    );
  }
}
