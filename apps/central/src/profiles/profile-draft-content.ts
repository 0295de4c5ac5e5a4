import { Injectable } from '@nestjs/common';
import { PropertiesDocument } from '../../../../libs/properties/index.js';
import { ValidationError } from '../common/domain-error.js';
import { SecretBox } from '../crypto/secret-box.js';
import { checkProfileAgentConf, withTruststoreOptions } from './profile-agent-conf.js';
import { type RevisionContent } from './profile-revision.content.js';
import { ProfileTruststoreResolver } from './profile-truststore.resolver.js';
import { type ProfileDraft } from './profiles.repository.js';

const PASSWORD_PURPOSE = 'profile-truststore-password';

/** Turns a stored draft into the content of the revision that preparing it now would make. */
@Injectable()
export class ProfileDraftContent {
  constructor(
    private readonly resolver: ProfileTruststoreResolver,
    private readonly secrets: SecretBox,
  ) {}

  sealPassword(password: string): string {
    return this.secrets.seal(password, PASSWORD_PURPOSE);
  }

  openPassword(draft: Pick<ProfileDraft, 'passwordSealed'>): string {
    return this.secrets.open(draft.passwordSealed, PASSWORD_PURPOSE).toString('utf8');
  }

  /**
   * agent.conf with the real password in its truststore options, the certificates resolved now.
   *
   * @throws DomainError CONFLICT when a truststore source has no certificate now
   */
  async contentOf(draft: ProfileDraft): Promise<RevisionContent> {
    const password = this.openPassword(draft);
    const checked = checkProfileAgentConf(draft.agentConf);
    // Stored drafts were checked when saved, but the rules may have grown stricter since (a central upgrade).
    if ('issues' in checked) throw new ValidationError(checked.issues);
    return {
      agentConf: withTruststoreOptions(PropertiesDocument.parse(draft.agentConf), checked.format, password),
      certificates: await this.resolver.resolve(draft.truststore),
      truststorePassword: password,
      minimumAgentVersion: draft.minimumAgentVersion,
      requiredCapabilities: [...new Set(draft.requiredCapabilities)].sort(),
    };
  }
}
