import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { type Response } from 'express';
import { z } from 'zod';
import { parseBody } from '../common/parse-body.js';
import { clientAddress, type AuthenticatedRequest } from '../common/request-context.js';
import { AuthService } from './auth.service.js';
import { Public } from './public.decorator.js';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './session-cookie.js';

const loginSchema = z.strictObject({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
});

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { username, password } = parseBody(loginSchema, body);
    const { token, user } = await this.auth.login(username, password, clientAddress(req));
    req.actor = { userId: user.id, username: user.username, address: clientAddress(req) };
    writeSessionCookie(res, token, req.secure);
    return { username: user.username, role: user.role };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const token = readSessionCookie(req);
    if (token) await this.auth.logout(token);
    clearSessionCookie(res);
    return { loggedOut: true };
  }

  @Get('me')
  me(@Req() req: AuthenticatedRequest) {
    return { username: req.actor?.username };
  }
}
