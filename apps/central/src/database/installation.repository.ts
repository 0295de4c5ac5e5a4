import { type DataSource } from 'typeorm';
import { ProfileSigningKeyRepository } from '../profiles/profile-signing-key.repository.js';

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
            to_regclass('agents') IS NOT NULL AS has_agents`,
  )) as Array<{ database: string; has_agents: boolean }>;
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
  // The signing key belongs to profiles/ (ADR 47).
  const key = await new ProfileSigningKeyRepository(dataSource).publicHalf();
  facts.signingKeyPem = key?.publicKeyPem;
  facts.createdAt = key?.createdAt;
  return facts;
}
