import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { CertificatesModule } from '../certificates/certificates.module.js';
import { LocalCaModule } from '../local-ca/local-ca.module.js';
import { BuiltinProfilesLoader } from './builtin-profiles.loader.js';
import { ProfileDownloadHandler } from './profile-download.handler.js';
import { ProfileDraftContent } from './profile-draft-content.js';
import { ProfilePrepareService } from './profile-prepare.service.js';
import { ProfileRevisionsRepository } from './profile-revisions.repository.js';
import { ProfileRevisionsService } from './profile-revisions.service.js';
import { ProfileSigningKeyController } from './profile-signing-key.controller.js';
import { ProfileSigningKeyRepository } from './profile-signing-key.repository.js';
import { ProfileSigningKeyService } from './profile-signing-key.service.js';
import { ProfileTemplates } from './profile-templates.js';
import { ProfileTruststoreResolver } from './profile-truststore.resolver.js';
import { ProfilesController } from './profiles.controller.js';
import { ProfilesRepository } from './profiles.repository.js';
import { ProfilesService } from './profiles.service.js';
// Read-only here: a new profile takes the listener ports from the stored settings (SettingsModule itself
// cannot be imported: settings → listeners → profiles).
import { SettingsRepository } from '../settings/settings.repository.js';

/**
 * Agent profiles (docs/design.md §5): drafts, prepared revisions, the profile-signing key, and the archive download
 * on the agent listeners. Rollouts use the exported signing key and revisions.
 */
@Module({
  imports: [AgentsModule, CertificatesModule, LocalCaModule],
  controllers: [ProfilesController, ProfileSigningKeyController],
  providers: [
    ProfilesRepository,
    ProfileRevisionsRepository,
    ProfileSigningKeyRepository,
    ProfileSigningKeyService,
    ProfileTemplates,
    ProfileTruststoreResolver,
    ProfileDraftContent,
    ProfilesService,
    SettingsRepository,
    ProfilePrepareService,
    ProfileRevisionsService,
    BuiltinProfilesLoader,
    ProfileDownloadHandler,
  ],
  exports: [
    ProfileSigningKeyService,
    ProfileRevisionsRepository,
    ProfileDownloadHandler,
    // the migration prepares the secure revision of the profile in use (docs/design.md §7, phase 3)
    ProfilesService,
    ProfilePrepareService,
  ],
})
export class ProfilesModule {}
