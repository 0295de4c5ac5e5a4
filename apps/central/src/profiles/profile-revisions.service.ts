import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { type RevisionRef } from '../../../../libs/api/profile-requests.js';
import { type DiffSide, diffProfiles, type ProfileDiff } from './profile-diff.js';
import { ProfileDraftContent } from './profile-draft-content.js';
import { revisionCertificates } from './profile-revision.content.js';
import { type ProfileRevision, ProfileRevisionsRepository } from './profile-revisions.repository.js';
import { revisionSummary, type RevisionSummary, revisionView, type RevisionView } from './profile-views.js';
import { ProfilesRepository } from './profiles.repository.js';

/** Reading revisions: list, detail, archive, diff. */
@Injectable()
export class ProfileRevisionsService {
  constructor(
    private readonly drafts: ProfilesRepository,
    private readonly revisions: ProfileRevisionsRepository,
    private readonly content: ProfileDraftContent,
  ) {}

  async list(name: string): Promise<RevisionSummary[]> {
    await this.requireProfile(name);
    return (await this.revisions.list(name)).map(revisionSummary);
  }

  async get(name: string, revision: number): Promise<RevisionView> {
    return revisionView(await this.require(name, revision));
  }

  async archive(name: string, revision: number): Promise<Buffer> {
    const archive = await this.revisions.archive(name, revision);
    if (!archive) throw this.notFound(name, revision);
    return archive;
  }

  /** `from` defaults to the latest revision, `to` to the draft. */
  async diff(name: string, from: RevisionRef | undefined, to: RevisionRef | undefined): Promise<ProfileDiff> {
    const draft = await this.requireProfile(name);
    const latest = await this.revisions.latest(name);
    const fromRef = from ?? latest?.revision;
    if (fromRef === undefined) {
      throw new DomainError('profile_has_no_revision', `${name} has no revision yet: give from= explicitly`);
    }
    const side = async (ref: RevisionRef): Promise<DiffSide> => {
      if (ref !== 'draft') return revisionSide(await this.require(name, ref));
      const content = await this.content.contentOf(draft);
      return {
        ref,
        agentConf: content.agentConf,
        truststore: revisionCertificates(content),
        minimumAgentVersion: content.minimumAgentVersion,
        requiredCapabilities: content.requiredCapabilities,
      };
    };
    return diffProfiles(await side(fromRef), await side(to ?? 'draft'));
  }

  private async require(name: string, revision: number): Promise<ProfileRevision> {
    const found = await this.revisions.find(name, revision);
    if (!found) {
      await this.requireProfile(name);
      throw this.notFound(name, revision);
    }
    return found;
  }

  private async requireProfile(name: string) {
    const draft = await this.drafts.find(name);
    if (!draft) throw new DomainError('profile_not_found', `no profile named ${name}`);
    return draft;
  }

  private notFound(name: string, revision: number): DomainError {
    return new DomainError('profile_revision_not_found', `${name} has no revision ${revision}`);
  }
}

function revisionSide(r: ProfileRevision): DiffSide {
  return {
    ref: r.revision,
    agentConf: r.agentConf,
    truststore: r.truststore,
    minimumAgentVersion: r.minimumAgentVersion,
    requiredCapabilities: r.requiredCapabilities,
  };
}
