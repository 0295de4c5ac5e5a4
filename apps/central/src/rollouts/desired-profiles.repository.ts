import { type DataSource } from 'typeorm';

/** Which profiles the fleet is meant to run (`agent_desired_profiles`), for fleet-wide publishes. */
export class DesiredProfilesRepository {
  constructor(private readonly db: Pick<DataSource, 'query'>) {}

  /** The profiles some agent is meant to run, by name. */
  async profilesInUse(): Promise<string[]> {
    const rows = (await this.db.query(
      'SELECT DISTINCT profile_name FROM agent_desired_profiles ORDER BY profile_name',
    )) as Array<{ profile_name: string }>;
    return rows.map((r) => r.profile_name);
  }

  /** The agents meant to run `profile`. */
  async agentsOf(profile: string): Promise<string[]> {
    const rows = (await this.db.query(
      'SELECT agent_id FROM agent_desired_profiles WHERE profile_name = $1 ORDER BY agent_id',
      [profile],
    )) as Array<{ agent_id: string }>;
    return rows.map((r) => r.agent_id);
  }
}
