import { Inject, Injectable } from '@nestjs/common';
import { PropertiesDocument } from '../../../../libs/properties/index.js';
import { DomainError, ValidationError } from '../common/domain-error.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../settings/websocket-settings.js';
import {
  type CopyProfileRequest,
  type CreateProfileRequest,
  type UpdateProfileRequest,
} from '../../../../libs/api/profile-requests.js';
import { checkProfileAgentConf, draftText } from './profile-agent-conf.js';
import { ProfileDraftContent } from './profile-draft-content.js';
import { sameContent } from './profile-revision.content.js';
import { type ProfileRevision, ProfileRevisionsRepository } from './profile-revisions.repository.js';
import { ProfileTemplates } from './profile-templates.js';
import { ProfileTruststoreResolver } from './profile-truststore.resolver.js';
import { listItem, type ProfileListItem, type ProfileView, profileView } from './profile-views.js';
import { type ProfileDraft, ProfilesRepository } from './profiles.repository.js';
import { setPropertyValue } from './properties-value.edit.js';
import { DEFAULT_TRUSTSTORE } from './truststore-selection.js';

export const DEFAULT_TRUSTSTORE_PASSWORD = 'changeit';
const DEFAULT_MINIMUM_AGENT_VERSION = '0.1.0';

/** Profiles and their drafts: list, read, create, copy, edit. Revisions are made by ProfilePrepareService. */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly drafts: ProfilesRepository,
    private readonly revisions: ProfileRevisionsRepository,
    private readonly content: ProfileDraftContent,
    private readonly resolver: ProfileTruststoreResolver,
    private readonly templates: ProfileTemplates,
    private readonly settings: SettingsRepository,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {}

  async list(): Promise<ProfileListItem[]> {
    const [drafts, latest] = await Promise.all([this.drafts.list(), this.revisions.latestOfEach()]);
    return Promise.all(
      drafts.map(async (d) =>
        listItem(d, latest.get(d.name), await this.draftChanged(d, latest.get(d.name))),
      ),
    );
  }

  async get(name: string): Promise<ProfileView> {
    const draft = await this.require(name);
    const revisions = await this.revisions.list(name);
    const [truststore, changed] = await Promise.all([
      this.resolver.describe(draft.truststore),
      this.draftChanged(draft, revisions[0]),
    ]);
    return profileView(draft, revisions, truststore, changed);
  }

  async create(request: CreateProfileRequest, actor: string): Promise<ProfileView> {
    let text = request.agentConf ?? this.skeleton(request.name);
    if (request.template !== undefined) {
      const template = this.templates.find(request.template);
      if (!template) {
        const known =
          this.templates
            .all()
            .map((t) => t.name)
            .join(', ') || 'none';
        throw new ValidationError([
          { field: 'template', message: `no template named ${request.template} (templates: ${known})` },
        ]);
      }
      text = template.agentConf;
    }
    // Text the operator wrote is theirs; a template or the skeleton gets the ports central listens on.
    if (request.agentConf === undefined) text = await this.withLivePorts(text);
    await this.insert(
      {
        name: request.name,
        builtIn: false,
        description: request.description ?? '',
        copiedFrom: null,
        truststore: request.truststore ?? DEFAULT_TRUSTSTORE,
        minimumAgentVersion: request.minimumAgentVersion ?? DEFAULT_MINIMUM_AGENT_VERSION,
        requiredCapabilities: request.requiredCapabilities ?? [],
        createdBy: actor,
      },
      text,
      request.truststorePassword,
    );
    return this.get(request.name);
  }

  /** Loads a repository template as a built-in profile unless a profile of that name exists (never overwritten). */
  async createBuiltIn(name: string, agentConf: string): Promise<boolean> {
    return this.insert(
      {
        name,
        builtIn: true,
        description: `built-in template profiles/${name}`,
        copiedFrom: null,
        truststore: DEFAULT_TRUSTSTORE,
        minimumAgentVersion: DEFAULT_MINIMUM_AGENT_VERSION,
        requiredCapabilities: [],
        createdBy: 'system',
      },
      agentConf,
      undefined,
      { ifAbsent: true },
    );
  }

  async copy(source: string, request: CopyProfileRequest, actor: string): Promise<ProfileView> {
    const from = await this.require(source);
    const inserted = await this.drafts.insert({
      name: request.name,
      builtIn: false,
      description: request.description ?? from.description,
      copiedFrom: from.name,
      agentConf: from.agentConf,
      truststore: from.truststore,
      passwordSealed: from.passwordSealed,
      minimumAgentVersion: from.minimumAgentVersion,
      requiredCapabilities: from.requiredCapabilities,
      createdBy: actor,
    });
    if (!inserted) throw this.nameTaken(request.name);
    return this.get(request.name);
  }

  async update(name: string, request: UpdateProfileRequest, actor: string): Promise<ProfileView> {
    const draft = await this.require(name);
    const checked = checkProfileAgentConf(this.editedText(draft, request));
    if ('issues' in checked) throw new ValidationError(checked.issues);
    const password = request.truststorePassword ?? checked.passwordInText;
    const stored = await this.drafts.updateDraft(
      name,
      request.draftVersion,
      {
        description: request.description ?? draft.description,
        agentConf: draftText(checked),
        truststore: request.truststore ?? draft.truststore,
        passwordSealed: password === undefined ? draft.passwordSealed : this.content.sealPassword(password),
        minimumAgentVersion: request.minimumAgentVersion ?? draft.minimumAgentVersion,
        requiredCapabilities: request.requiredCapabilities ?? draft.requiredCapabilities,
      },
      actor,
    );
    if (!stored) {
      const current = await this.require(name);
      throw new DomainError(
        'profile_draft_changed',
        `the draft of ${name} changed since version ${request.draftVersion} (now ${current.draftVersion} by ${current.updatedBy}); reload and edit again`,
        { draftVersion: current.draftVersion },
      );
    }
    return this.get(name);
  }

  /** Deletes a profile nobody depends on: not built in, never prepared (revisions are history). */
  async delete(name: string): Promise<void> {
    const draft = await this.require(name);
    if (draft.builtIn) throw new DomainError('profile_built_in', `${name} is built in and cannot be deleted`);
    if (!(await this.drafts.deleteUnused(name))) {
      throw new DomainError(
        'profile_has_revisions',
        `${name} has revisions and cannot be deleted (history is kept)`,
      );
    }
  }

  async require(name: string): Promise<ProfileDraft> {
    const draft = await this.drafts.find(name);
    if (!draft) throw new DomainError('profile_not_found', `no profile named ${name}`);
    return draft;
  }

  /** The whole new text, or the stored text with `unset` then `set` applied in place. */
  private editedText(draft: ProfileDraft, request: UpdateProfileRequest): string {
    if (request.agentConf !== undefined) return request.agentConf;
    if (request.set === undefined && request.unset === undefined) return draft.agentConf;
    const doc = PropertiesDocument.parse(draft.agentConf);
    for (const key of request.unset ?? []) doc.delete(key);
    let text = doc.toString();
    for (const [key, value] of Object.entries(request.set ?? {})) {
      text = setPropertyValue(PropertiesDocument.parse(text), key, value);
    }
    return text;
  }

  private async insert(
    fields: Omit<
      ProfileDraft,
      'agentConf' | 'passwordSealed' | 'draftVersion' | 'createdAt' | 'updatedAt' | 'updatedBy'
    >,
    text: string,
    password: string | undefined,
    opts: { ifAbsent?: boolean } = {},
  ): Promise<boolean> {
    const checked = checkProfileAgentConf(text);
    if ('issues' in checked) throw new ValidationError(checked.issues);
    const inserted = await this.drafts.insert({
      ...fields,
      agentConf: draftText(checked),
      passwordSealed: this.content.sealPassword(
        password ?? checked.passwordInText ?? DEFAULT_TRUSTSTORE_PASSWORD,
      ),
    });
    if (!inserted && !opts.ifAbsent) throw this.nameTaken(fields.name);
    return inserted;
  }

  /** Whether preparing now would make a new revision; null when a truststore source has no certificate. */
  private async draftChanged(
    draft: ProfileDraft,
    latest: ProfileRevision | undefined,
  ): Promise<boolean | null> {
    if (!latest) return true;
    try {
      return !sameContent(await this.content.contentOf(draft), latest);
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  }

  /**
   * The text with central's current listener ports (the stored WebSocket settings): a template says 8787
   * and 9150, and a profile made from it would send agents to ports central may not listen on (issue 16).
   */
  private async withLivePorts(text: string): Promise<string> {
    const live = (await this.settings.latest())?.value ?? DEFAULT_WEBSOCKET_SETTINGS;
    const plain = setPropertyValue(
      PropertiesDocument.parse(text),
      'central.websocket.port',
      `${live.plain.port}`,
    );
    return setPropertyValue(
      PropertiesDocument.parse(plain),
      'central.websocket.secure.port',
      `${live.secure.port}`,
    );
  }

  /** A from-scratch agent.conf: where central is, and nothing else (every other key has a default). */
  private skeleton(name: string): string {
    const host = this.config.agentHosts.find((h) => !h.startsWith('*')) ?? 'localhost';
    return `# Profile ${name}: agent.conf keys are listed in docs/agent-conf.md.\ncentral.host=${host}\n`;
  }

  private nameTaken(name: string): DomainError {
    return new DomainError('profile_already_exists', `a profile named ${name} already exists`);
  }
}
