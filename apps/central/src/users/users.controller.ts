import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import {
  createUserSchema,
  passwordResetDoneSchema,
  passwordResetSchema,
  roleChangedSchema,
  roleChangeSchema,
  userDeletedSchema,
  userListSchema,
  usernameSchema,
  userSummarySchema,
} from '../../../../libs/api/users.js';
import { UsersService } from './users.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';

/** Admin only, reads included: the route policy table says so for `/api/users` (auth/route-policy.ts). */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiDoc({ response: userListSchema })
  list() {
    return this.users.list();
  }

  @Post()
  @ApiDoc({ body: createUserSchema, response: userSummarySchema })
  create(@Body() body: unknown) {
    return this.users.create(parseBody(createUserSchema, body));
  }

  @Put(':username/role')
  @ApiDoc({ body: roleChangeSchema, response: roleChangedSchema })
  setRole(@Param('username') username: string, @Body() body: unknown) {
    return this.users.setRole(parseBody(usernameSchema, username), parseBody(roleChangeSchema, body).role);
  }

  /** Ends every session of that user (but the caller's own, when resetting one's own password). */
  @Put(':username/password')
  @HttpCode(200)
  @ApiDoc({ body: passwordResetSchema, response: passwordResetDoneSchema })
  async resetPassword(
    @Param('username') username: string,
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest & { session?: { tokenHash: string } },
  ) {
    const { password } = parseBody(passwordResetSchema, body);
    await this.users.setPassword(
      parseBody(usernameSchema, username),
      password,
      req.session?.tokenHash ?? null,
    );
    return { reset: true };
  }

  @Delete(':username')
  @ApiDoc({ response: userDeletedSchema })
  async delete(@Param('username') username: string, @Req() req: AuthenticatedRequest) {
    await this.users.delete(parseBody(usernameSchema, username), req.actor!.username);
    return { deleted: username };
  }
}
