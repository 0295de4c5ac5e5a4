import { Body, Controller, Get, Put, Req } from '@nestjs/common';
import { parseBody } from '../common/parse-body.js';
import { type AuthenticatedRequest } from '../common/request-context.js';
import { SettingsService } from './settings.service.js';
import { websocketSettingsPatchSchema } from './websocket-settings.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { settingsVersionSchema } from '../../../../libs/api/settings.js';

@Controller('settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get('websocket')
  @ApiDoc({ response: settingsVersionSchema })
  get() {
    return this.settings.current();
  }

  @Put('websocket')
  @ApiDoc({ body: websocketSettingsPatchSchema, response: settingsVersionSchema })
  put(@Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.settings.update(
      parseBody(websocketSettingsPatchSchema, body),
      req.actor?.username ?? 'unknown',
    );
  }
}
