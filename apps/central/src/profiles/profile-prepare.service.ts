import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { ProfileDraftContent } from './profile-draft-content.js';
import { buildRevisionArchive, revisionCertificates } from './profile-revision.content.js';
import { ProfileRevisionsRepository } from './profile-revisions.repository.js';
import { ProfileSigningKeyService } from './profile-signing-key.service.js';
import { revisionView, type RevisionView } from './profile-views.js';
import { ProfilesRepository } from './profiles.repository.js';

export interface PrepareResult extends RevisionView {
  /** False when the draft gave the latest revision again, byte for byte: no duplicate is made. */
  created: boolean;
}

/** Prepare: the draft becomes the next immutable, numbered revision (docs/design.md §5). */
@Injectable()
export class ProfilePrepareService {
  private readonly logger = new Logger('profiles');

  constructor(
    private readonly drafts: ProfilesRepository,
    private readonly revisions: ProfileRevisionsRepository,
    private readonly content: ProfileDraftContent,
    private readonly signingKey: ProfileSigningKeyService,
  ) {}

  /**
   * Resolves the truststore now, builds the archive, and stores it as the next revision — unless the
   * archive built under the latest revision's number has that revision's sha256, in which case the latest
   * revision is returned (same content ⇒ same bytes; Mender's "never the same deployment twice").
   * The draft row stays locked meanwhile, so concurrent prepares on any node serialize.
   */
  async prepare(name: string, actor: string): Promise<PrepareResult> {
    const key = await this.signingKey.privateKey();
    return this.drafts.transaction(async (tx) => {
      const draft = await this.drafts.findForPrepare(tx, name);
      if (!draft) throw new DomainError('profile_not_found', `no profile named ${name}`);
      const latest = await this.revisions.latest(name, tx);
      const content = await this.content.contentOf(draft);
      if (latest) {
        const again = await buildRevisionArchive(name, latest.revision, content, key);
        if (again.sha256 === latest.sha256) return { ...revisionView(latest), created: false };
      }
      const revision = (latest?.revision ?? 0) + 1;
      const built = await buildRevisionArchive(name, revision, content, key);
      const stored = await this.revisions.insert(tx, {
        profile: name,
        revision,
        sha256: built.sha256,
        sizeBytes: built.archive.length,
        archive: built.archive,
        manifest: built.manifest,
        agentConf: content.agentConf,
        truststore: revisionCertificates(content),
        minimumAgentVersion: content.minimumAgentVersion,
        requiredCapabilities: built.manifest.requiredCapabilities,
        createdBy: actor,
      });
      this.logger.log(
        `prepared ${name} revision ${revision} (${built.sha256}, ${built.archive.length} bytes)`,
      );
      return { ...revisionView(stored), created: true };
    });
  }
}
