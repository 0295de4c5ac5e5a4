/** The profiles and rollouts calls of the admin API the rollout bench makes, typed (over AdminApi.call). */
import { MAX_AGENTS_PAGE } from '../../libs/api/rollout-requests.js';
import { type AdminApi } from '../connections/admin-api.js';

export interface RevisionSummary {
  revision: number;
  sha256: string;
  sizeBytes: number;
}

export interface RolloutAgentView {
  agentId: string;
  state: string;
  reason?: string | null;
}

export interface RolloutView {
  id: string;
  state: string;
  stateReason?: string | null;
  agents: RolloutAgentView[];
}

export type TruststoreEntryBody =
  { source: 'server-anchor' } | { source: 'uploaded'; alias: string; pem: string };

export class RolloutApi {
  constructor(private readonly api: AdminApi) {}

  copyProfile(from: string, name: string): Promise<{ draftVersion: number }> {
    return this.api.call('POST', `/api/profiles/${from}/copy`, {
      name,
      description: 'rollout bench: built-in default with a padded truststore',
    });
  }

  async draftVersion(name: string): Promise<number> {
    return (await this.api.call<{ draftVersion: number }>('GET', `/api/profiles/${name}`)).draftVersion;
  }

  async setTruststore(name: string, truststore: TruststoreEntryBody[]): Promise<void> {
    const draftVersion = await this.draftVersion(name);
    await this.api.call('PUT', `/api/profiles/${name}`, { draftVersion, truststore });
  }

  prepare(name: string): Promise<RevisionSummary> {
    return this.api.call('POST', `/api/profiles/${name}/prepare`);
  }

  /** Synchronize (deliver and stage) one revision to every agent, in a single wave. */
  async synchronizeToAll(profile: string, revision: number): Promise<string> {
    const created = await this.api.call<{ id: string }>('POST', '/api/rollouts', {
      profile,
      revision,
      targets: { all: true },
      waves: { percentages: [100] },
      successThresholdPercent: 100,
      errorThreshold: { percent: 100 },
      mode: 'synchronize',
    });
    return created.id;
  }

  /** The rollout with every one of its agents, read a page (the API's largest) at a time. */
  async rollout(id: string): Promise<RolloutView> {
    const pageOf = (offset: number) =>
      this.api.call<RolloutView & { agentsTotal: number }>(
        'GET',
        `/api/rollouts/${id}?limit=${MAX_AGENTS_PAGE}&offset=${offset}`,
      );
    const first = await pageOf(0);
    const agents = [...first.agents];
    while (agents.length < first.agentsTotal) {
      const page = await pageOf(agents.length);
      if (page.agents.length === 0) break; // the rollout shrank meanwhile (it never does; do not spin)
      agents.push(...page.agents);
    }
    return { ...first, agents };
  }
}
