import { Controller, Get } from '@nestjs/common';
import { ProfileSigningKeyService } from './profile-signing-key.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import { profileSigningKeySchema } from '../../../../libs/api/profiles.js';

/** The public half of the profile-signing key, for operators who verify archives by hand. */
@Controller('profile-signing-key')
export class ProfileSigningKeyController {
  constructor(private readonly signingKey: ProfileSigningKeyService) {}

  @Get()
  @ApiDoc({ response: profileSigningKeySchema })
  async get() {
    return {
      publicKeyPem: await this.signingKey.publicKeyPem(),
      fingerprint: await this.signingKey.fingerprint(),
    };
  }
}
