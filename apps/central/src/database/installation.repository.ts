import { type DataSource } from 'typeorm';

/** What a database holds before migrations run: nothing, or a Switchyard installation. */
export interface InstallationFacts {
  database: string;
  /** False in an empty database (or one used by something else): the migrations create a new installation. */
  hasSchema: boolean;
  /** Public half of the profile-signing key, made once per installation at its first boot. */
  signingKeyPem: string | undefined;
  createdAt: Date | undefined;
  agents: number;
}

/** Reads, without changing anything, which installation a database holds (the boot log names it). */
export async function readInstallationFacts(dataSource: DataSource): Promise<InstallationFacts> {
  const [probe] = (await dataSource.query(
    `SELECT current_database() AS database,
            to_regclass('agents') IS NOT NULL AS has_agents,
            to_regclass('profile_signing_key') IS NOT NULL AS has_key`,
  )) as Array<{ database: string; has_agents: boolean; has_key: boolean }>;
  const facts: InstallationFacts = {
    database: probe!.database,
    hasSchema: probe!.has_agents,
    signingKeyPem: undefined,
    createdAt: undefined,
    agents: 0,
  };
  if (probe!.has_agents) {
    const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM agents`)) as Array<{ n: number }>;
    facts.agents = row!.n;
  }
  if (probe!.has_key) {
    const [key] = (await dataSource.query(
      `SELECT public_key_pem, created_at FROM profile_signing_key WHERE id = 1`,
    )) as Array<{ public_key_pem: string; created_at: Date }>;
    facts.signingKeyPem = key?.public_key_pem;
    facts.createdAt = key?.created_at;
  }
  return facts;
}
