import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ProfileTemplates } from './profile-templates.js';
import { ProfilesService } from './profiles.service.js';

/**
 * At boot, every repository template (`profiles/<name>/conf/agent.conf`) becomes a built-in profile unless
 * a profile of that name exists: an admin's edits are never overwritten, and racing nodes insert once.
 */
@Injectable()
export class BuiltinProfilesLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('profiles');

  constructor(
    private readonly templates: ProfileTemplates,
    private readonly profiles: ProfilesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const template of this.templates.all()) {
      try {
        if (await this.profiles.createBuiltIn(template.name, template.agentConf)) {
          this.logger.log(`loaded built-in profile ${template.name}`);
        }
      } catch (error) {
        // A broken template must not keep central from starting; the operator sees why in the log.
        this.logger.error(`built-in profile ${template.name} not loaded: ${(error as Error).message}`);
      }
    }
  }
}
