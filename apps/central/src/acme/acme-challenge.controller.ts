import { Controller, Get, Header, Param } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { AcmeRepository } from './acme.repository.js';

/** Path the CA fetches for http-01 (RFC 8555 §8.3); kept out of the /api prefix in central-app.ts. */
export const ACME_CHALLENGE_PATH = '.well-known/acme-challenge';

/** Answers the CA's http-01 validation requests on the admin HTTP port; the CA has no session. */
@Controller(ACME_CHALLENGE_PATH)
export class AcmeChallengeController {
  constructor(private readonly repo: AcmeRepository) {}

  @Public()
  @Get(':token')
  @Header('Content-Type', 'application/octet-stream')
  @Header('Cache-Control', 'no-store')
  async answer(@Param('token') token: string): Promise<string> {
    const keyAuthorization = /^[A-Za-z0-9_-]{1,128}$/.test(token)
      ? await this.repo.keyAuthorization(token)
      : undefined;
    if (!keyAuthorization)
      throw new DomainError('acme_challenge_not_found', 'no pending ACME challenge with this token');
    return keyAuthorization;
  }
}
