import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { type Response } from 'express';
import { parseBody } from '../common/parse-body.js';
import { clientAddress } from '../common/request-context.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { AuthService } from './auth.service.js';
import { Public } from './public.decorator.js';
import { permissionsOf } from './route-policy.js';
import { clearSessionCookies, readSessionCookie, writeSessionCookies } from './session-cookie.js';
import { type SessionRequest } from './session-request.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import {
  loggedOutSchema,
  loginAnswerSchema,
  loginSchema,
  meSchema,
  passwordChangedSchema,
  passwordChangeSchema,
} from '../../../../libs/api/auth.js';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  /** Sets the session and CSRF cookies; `csrfToken` goes back in `X-CSRF-Token` on every write. */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiDoc({ body: loginSchema, response: loginAnswerSchema })
  async login(@Body() body: unknown, @Req() req: SessionRequest, @Res({ passthrough: true }) res: Response) {
    const { username, password } = parseBody(loginSchema, body);
    const { token, csrfToken, user } = await this.auth.login(username, password, clientAddress(req));
    req.actor = { userId: user.id, username: user.username, address: clientAddress(req) };
    writeSessionCookies(
      res,
      { session: token, csrf: csrfToken },
      { secure: req.secure, maxSeconds: this.config.session.maxSeconds },
    );
    return { username: user.username, role: user.role, csrfToken, permissions: permissionsOf(user.role) };
  }

  @Post('logout')
  @HttpCode(200)
  @ApiDoc({ response: loggedOutSchema })
  async logout(@Req() req: SessionRequest, @Res({ passthrough: true }) res: Response) {
    const token = readSessionCookie(req);
    if (token) await this.auth.logout(token);
    clearSessionCookies(res);
    return { loggedOut: true };
  }

  /** Who is logged in and what they may do, so the UI shows no button that would answer 403. */
  @Get('me')
  @ApiDoc({ response: meSchema })
  me(@Req() req: SessionRequest) {
    const role = req.session!.role;
    return { username: req.session!.actor.username, role, permissions: permissionsOf(role) };
  }

  @Post('password')
  @HttpCode(200)
  @ApiDoc({ body: passwordChangeSchema, response: passwordChangedSchema })
  async changePassword(@Body() body: unknown, @Req() req: SessionRequest) {
    const { currentPassword, newPassword } = parseBody(passwordChangeSchema, body);
    await this.auth.changeOwnPassword(req.session!, currentPassword, newPassword);
    return { changed: true };
  }
}
