import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { type Response } from 'express';
import { z } from 'zod';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { hideTruststorePasswordsInBody } from './audit-body.redaction.js';
import {
  copyProfileSchema,
  createProfileSchema,
  diffQuerySchema,
  profileName,
  revisionNumber,
  updateProfileSchema,
} from '../../../../libs/api/profile-requests.js';
import { ProfilePrepareService } from './profile-prepare.service.js';
import { ProfileRevisionsService } from './profile-revisions.service.js';
import { ProfilesService } from './profiles.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import {
  prepareResultSchema,
  profileDiffSchema,
  profileListSchema,
  profileViewSchema,
  revisionListSchema,
  revisionViewSchema,
} from '../../../../libs/api/profiles.js';

const nameParam = (name: string): string => parseBody(z.object({ name: profileName }), { name }).name;
const revParam = (rev: string): number =>
  parseBody(z.object({ revision: revisionNumber }), { revision: rev }).revision;
const actor = (req: AuthenticatedRequest): string => req.actor?.username ?? 'unknown';

/** The raw body, for the service, after hiding passwords from the audit record that reads it later. */
function bodyOf(body: unknown): unknown {
  const copy = structuredClone(body);
  hideTruststorePasswordsInBody(body);
  return copy;
}

@Controller('profiles')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly preparer: ProfilePrepareService,
    private readonly revisions: ProfileRevisionsService,
  ) {}

  @Get()
  @ApiDoc({ response: profileListSchema })
  list() {
    return this.profiles.list();
  }

  @Post()
  @ApiDoc({ body: createProfileSchema, response: profileViewSchema })
  create(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.profiles.create(parseBody(createProfileSchema, bodyOf(body)), actor(req));
  }

  @Get(':name')
  @ApiDoc({ response: profileViewSchema })
  get(@Param('name') name: string) {
    return this.profiles.get(nameParam(name));
  }

  @Put(':name')
  @ApiDoc({ body: updateProfileSchema, response: profileViewSchema })
  update(@Param('name') name: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.profiles.update(nameParam(name), parseBody(updateProfileSchema, bodyOf(body)), actor(req));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiDoc({ noContent: true })
  delete(@Param('name') name: string) {
    return this.profiles.delete(nameParam(name));
  }

  @Post(':name/copy')
  @ApiDoc({ body: copyProfileSchema, response: profileViewSchema })
  copy(@Param('name') name: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.profiles.copy(nameParam(name), parseBody(copyProfileSchema, body), actor(req));
  }

  /** 201 with the new revision, or 200 with the latest one when the draft gives it again. */
  @Post(':name/prepare')
  @ApiDoc({ response: prepareResultSchema })
  async prepare(
    @Param('name') name: string,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.preparer.prepare(nameParam(name), actor(req));
    res.status(result.created ? 201 : 200);
    return result;
  }

  @Get(':name/revisions')
  @ApiDoc({ response: revisionListSchema })
  listRevisions(@Param('name') name: string) {
    return this.revisions.list(nameParam(name));
  }

  @Get(':name/revisions/:rev')
  @ApiDoc({ response: revisionViewSchema })
  getRevision(@Param('name') name: string, @Param('rev') rev: string) {
    return this.revisions.get(nameParam(name), revParam(rev));
  }

  @Get(':name/revisions/:rev/archive')
  @ApiDoc({ produces: 'application/zip' })
  async archive(@Param('name') name: string, @Param('rev') rev: string): Promise<StreamableFile> {
    const [profile, revision] = [nameParam(name), revParam(rev)];
    const archive = await this.revisions.archive(profile, revision);
    return new StreamableFile(archive, {
      type: 'application/zip',
      length: archive.length,
      // The name is restricted to A-Z a-z 0-9 . _ -, so it needs no escaping here.
      disposition: `attachment; filename="${profile}-r${revision}.zip"`,
    });
  }

  @Get(':name/diff')
  @ApiDoc({ query: diffQuerySchema, response: profileDiffSchema })
  diff(@Param('name') name: string, @Query() query: unknown) {
    const { from, to } = parseBody(diffQuerySchema, query);
    return this.revisions.diff(nameParam(name), from, to);
  }
}
